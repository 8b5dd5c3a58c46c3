package io.vetcd.etcdformat;

import static io.vetcd.etcdformat.BoltLayout.BRANCH_ELEMENT_SIZE;
import static io.vetcd.etcdformat.BoltLayout.LEAF_ELEMENT_SIZE;
import static io.vetcd.etcdformat.BoltLayout.PAGE_HEADER_SIZE;
import static io.vetcd.etcdformat.BoltLayout.PAGE_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one bucket's B+tree bottom-up from keys given in ascending order: leaf pages are written
 * as soon as they are full, and each written page adds its first key to the pending branch page
 * of the level above. Only one pending page per level is held, so memory is bounded by the tree
 * height, whatever the number of keys. Every leaf ends up at the same depth.
 */
final class BoltTreeBuilder {

    /** Where finished pages go; returns the id given to the page. */
    interface PageWriter {
        long write(ByteBuffer page, short flags, int count) throws IOException;
    }

    private final PageWriter out;
    private final Pending leaf = new Pending();
    /** branches.get(i) collects the children of level i + 1 (level 0 = leaves). */
    private final List<Pending> branches = new ArrayList<>();
    private boolean wroteLeaf;

    BoltTreeBuilder(PageWriter out) {
        this.out = out;
    }

    void add(int flags, byte[] key, byte[] value) throws IOException {
        int size = LEAF_ELEMENT_SIZE + key.length + value.length;
        if (!leaf.isEmpty() && leaf.bytes + size > PAGE_SIZE) {
            flushLeaf();
        }
        leaf.add(key, value, flags, 0, size);
    }

    /** Writes what is pending and returns the root page id (an empty leaf for an empty bucket). */
    long finish() throws IOException {
        if (!wroteLeaf) {
            return writeLeaf(); // the whole bucket fits in one (possibly empty) leaf
        }
        if (!leaf.isEmpty()) {
            flushLeaf();
        }
        for (int level = 0; ; level++) {
            Pending b = branches.get(level);
            boolean top = level == branches.size() - 1;
            if (top && b.size() == 1) {
                return b.pgids.get(0);
            }
            if (!b.isEmpty()) {
                flushBranch(level);
            }
        }
    }

    private void flushLeaf() throws IOException {
        byte[] first = leaf.keys.get(0);
        long id = writeLeaf();
        addChild(0, first, id);
    }

    private long writeLeaf() throws IOException {
        ByteBuffer page = allocate(leaf.bytes);
        int n = leaf.size();
        int data = PAGE_HEADER_SIZE + n * LEAF_ELEMENT_SIZE;
        for (int i = 0; i < n; i++) {
            int elem = PAGE_HEADER_SIZE + i * LEAF_ELEMENT_SIZE;
            byte[] k = leaf.keys.get(i);
            byte[] v = leaf.values.get(i);
            page.putInt(elem, leaf.flags.get(i));
            page.putInt(elem + 4, data - elem);
            page.putInt(elem + 8, k.length);
            page.putInt(elem + 12, v.length);
            page.put(data, k);
            page.put(data + k.length, v);
            data += k.length + v.length;
        }
        long id = out.write(page, BoltLayout.LEAF_PAGE, n);
        leaf.clear();
        wroteLeaf = true;
        return id;
    }

    private void addChild(int level, byte[] firstKey, long pgid) throws IOException {
        if (level == branches.size()) {
            branches.add(new Pending());
        }
        Pending b = branches.get(level);
        int size = BRANCH_ELEMENT_SIZE + firstKey.length;
        if (!b.isEmpty() && b.bytes + size > PAGE_SIZE) {
            flushBranch(level);
        }
        b.add(firstKey, null, 0, pgid, size);
    }

    private void flushBranch(int level) throws IOException {
        Pending b = branches.get(level);
        ByteBuffer page = allocate(b.bytes);
        int n = b.size();
        int data = PAGE_HEADER_SIZE + n * BRANCH_ELEMENT_SIZE;
        for (int i = 0; i < n; i++) {
            int elem = PAGE_HEADER_SIZE + i * BRANCH_ELEMENT_SIZE;
            byte[] k = b.keys.get(i);
            page.putInt(elem, data - elem);
            page.putInt(elem + 4, k.length);
            page.putLong(elem + 8, b.pgids.get(i));
            page.put(data, k);
            data += k.length;
        }
        byte[] first = b.keys.get(0);
        long id = out.write(page, BoltLayout.BRANCH_PAGE, n);
        b.clear();
        addChild(level + 1, first, id);
    }

    /** A zeroed, little-endian buffer of whole pages holding {@code bytes}. */
    private static ByteBuffer allocate(int bytes) {
        int pages = Math.max(1, (bytes + PAGE_SIZE - 1) / PAGE_SIZE);
        return ByteBuffer.allocate(pages * PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The elements of one page being filled; {@code bytes} counts the page header too. */
    private static final class Pending {
        final List<byte[]> keys = new ArrayList<>();
        final List<byte[]> values = new ArrayList<>();
        final List<Integer> flags = new ArrayList<>();
        final List<Long> pgids = new ArrayList<>();
        int bytes = PAGE_HEADER_SIZE;

        void add(byte[] key, byte[] value, int flag, long pgid, int size) {
            keys.add(key);
            values.add(value);
            flags.add(flag);
            pgids.add(pgid);
            bytes += size;
        }

        int size() { return keys.size(); }

        boolean isEmpty() { return keys.isEmpty(); }

        void clear() {
            keys.clear();
            values.clear();
            flags.clear();
            pgids.clear();
            bytes = PAGE_HEADER_SIZE;
        }
    }
}
