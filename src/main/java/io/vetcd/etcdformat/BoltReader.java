package io.vetcd.etcdformat;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Read-only access to a bbolt database file (the {@code member/snap/db} of an etcd data directory).
 *
 * <p>Only committed state is read: of the two meta pages, the valid one (magic, version, checksum)
 * with the higher transaction id names the root. Pages are read with positional reads, so files of
 * any size work without mapping them. Every page reached is checked to carry its own id and to lie
 * below the file's high-water mark, so a damaged file fails with {@link EtcdFormatException} rather
 * than yielding wrong data.
 *
 * <p>Not thread-safe.
 */
public final class BoltReader implements AutoCloseable {
    // On-disk layout: BoltLayout (bbolt, little-endian on every platform etcd ships for).
    private static final int MAGIC = BoltLayout.MAGIC;
    private static final int VERSION = BoltLayout.VERSION;
    private static final int PAGE_HEADER = BoltLayout.PAGE_HEADER_SIZE;
    private static final int ELEMENT = BoltLayout.LEAF_ELEMENT_SIZE; // branch elements are as long
    private static final int BUCKET_HEADER = BoltLayout.BUCKET_HEADER_SIZE;
    private static final int META_CHECKSUMMED = BoltLayout.META_OFF_CHECKSUM;
    private static final int FLAG_BRANCH = BoltLayout.BRANCH_PAGE;
    private static final int FLAG_LEAF = BoltLayout.LEAF_PAGE;
    private static final int FLAG_META = BoltLayout.META_PAGE;
    private static final int LEAF_BUCKET = BoltLayout.BUCKET_LEAF_FLAG;
    /** Deeper than any real B+tree: guards against cycles in a damaged file. */
    private static final int MAX_DEPTH = 64;

    /** What a visitor sees for each key of a bucket, in key order. */
    @FunctionalInterface
    public interface Visitor {
        /** {@code value} is null when the key names a nested bucket. */
        void visit(byte[] key, byte[] value) throws IOException;
    }

    private final Path path;
    private final FileChannel file;
    private final int pageSize;
    private final long highWater;
    private final long txid;
    private final Bucket root;

    private BoltReader(Path path, FileChannel file, int pageSize, long highWater, long txid, long rootPgid) {
        this.path = path;
        this.file = file;
        this.pageSize = pageSize;
        this.highWater = highWater;
        this.txid = txid;
        this.root = new Bucket(rootPgid, null);
    }

    /** Opens {@code path} read-only; throws {@link EtcdFormatException} if it is not a valid bbolt file. */
    public static BoltReader open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            Meta best = null;
            ByteBuffer first = read(ch, 0, (int) Math.min(4096, ch.size()));
            Meta m0 = Meta.parse(first, 0);
            if (m0 != null) best = m0;
            // The second meta page sits one page in; its size comes from a valid first meta, or is guessed.
            int[] sizes = m0 != null ? new int[]{m0.pageSize} : new int[]{4096, 8192, 16384, 32768, 65536, 1024, 2048};
            for (int size : sizes) {
                if (ch.size() < 2L * size) continue;
                Meta m1 = Meta.parse(read(ch, size, PAGE_HEADER + META_CHECKSUMMED + 8), 1);
                if (m1 != null && m1.pageSize == size) {
                    if (best == null || Long.compareUnsigned(m1.txid, best.txid) > 0) best = m1;
                    break;
                }
            }
            if (best == null) throw new EtcdFormatException(path + " is not a bbolt database (no valid meta page)");
            if (ch.size() < best.highWater * best.pageSize) {
                throw new EtcdFormatException(path + " is truncated: " + ch.size() + " bytes, meta says "
                    + best.highWater + " pages of " + best.pageSize);
            }
            return new BoltReader(path, ch, best.pageSize, best.highWater, best.txid, best.rootPgid);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** True if {@code path} starts with a valid bbolt meta page. */
    public static boolean isBoltFile(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (ch.size() < PAGE_HEADER + META_CHECKSUMMED + 8) return false;
            return Meta.parse(read(ch, 0, (int) Math.min(4096, ch.size())), 0) != null;
        } catch (IOException e) {
            return false;
        }
    }

    public int pageSize() { return pageSize; }

    /** Id of the transaction that wrote the state being read. */
    public long txid() { return txid; }

    /** The top-level bucket holding all named buckets. */
    public Bucket root() { return root; }

    /** A top-level bucket, or null if there is none with that name. */
    public Bucket bucket(String name) throws IOException {
        return root.bucket(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException { file.close(); }

    /** A bucket: its B+tree starts at a page, or (small buckets) lives inline in its parent's value. */
    public final class Bucket {
        private final long rootPgid;
        private final ByteBuffer inlinePage;

        private Bucket(long rootPgid, ByteBuffer inlinePage) {
            this.rootPgid = rootPgid;
            this.inlinePage = inlinePage;
        }

        /** Visits every key in unsigned byte order. */
        public void forEach(Visitor v) throws IOException {
            if (inlinePage != null) {
                walk(inlinePage, v, 0);
            } else {
                walk(page(rootPgid), v, 0);
            }
        }

        /** Levels of the bucket's B+tree (1 = a single leaf); for tests and diagnostics. */
        int depth() throws IOException {
            ByteBuffer p = inlinePage != null ? inlinePage : page(rootPgid);
            int depth = 1;
            while ((flags(p) & FLAG_BRANCH) != 0 && depth < MAX_DEPTH) {
                p = page(p.getLong(PAGE_HEADER + 8));
                depth++;
            }
            return depth;
        }

        boolean isInline() { return inlinePage != null; }

        /** The value of {@code key}, or null if absent or a nested bucket. */
        public byte[] get(byte[] key) throws IOException {
            byte[][] found = new byte[1][];
            findLeafElement(key, (k, val, flags) -> {
                if ((flags & LEAF_BUCKET) == 0) found[0] = val;
            });
            return found[0];
        }

        /** The nested bucket named {@code name}, or null. */
        public Bucket bucket(byte[] name) throws IOException {
            Bucket[] found = new Bucket[1];
            findLeafElement(name, (k, val, flags) -> {
                if ((flags & LEAF_BUCKET) != 0) found[0] = nested(val);
            });
            return found[0];
        }

        private void findLeafElement(byte[] key, LeafHit hit) throws IOException {
            ByteBuffer p = inlinePage != null ? inlinePage : page(rootPgid);
            for (int depth = 0; depth < MAX_DEPTH; depth++) {
                int flags = flags(p);
                int count = count(p);
                if ((flags & FLAG_LEAF) != 0) {
                    for (int i = 0; i < count; i++) {
                        int e = PAGE_HEADER + i * ELEMENT;
                        byte[] k = bytes(p, e + p.getInt(e + 4), p.getInt(e + 8));
                        if (Arrays.equals(k, key)) {
                            hit.found(k, bytes(p, e + p.getInt(e + 4) + k.length, p.getInt(e + 12)), p.getInt(e));
                            return;
                        }
                    }
                    return;
                }
                if ((flags & FLAG_BRANCH) == 0 || count == 0) throw corrupt("page " + p.getLong(0) + " is neither branch nor leaf");
                // the child whose first key is the last one at or below the key searched
                int child = 0;
                for (int i = 1; i < count; i++) {
                    int e = PAGE_HEADER + i * ELEMENT;
                    if (Arrays.compareUnsigned(bytes(p, e + p.getInt(e), p.getInt(e + 4)), key) <= 0) child = i;
                    else break;
                }
                p = page(p.getLong(PAGE_HEADER + child * ELEMENT + 8));
            }
            throw corrupt("tree deeper than " + MAX_DEPTH);
        }
    }

    @FunctionalInterface
    private interface LeafHit {
        void found(byte[] key, byte[] value, int flags) throws IOException;
    }

    private Bucket nested(byte[] value) {
        if (value.length < BUCKET_HEADER) throw corrupt("bucket value of " + value.length + " bytes");
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        long rootPgid = b.getLong(0);
        if (rootPgid != 0) return new Bucket(rootPgid, null);
        ByteBuffer inline = ByteBuffer.wrap(value, BUCKET_HEADER, value.length - BUCKET_HEADER).slice()
            .order(ByteOrder.LITTLE_ENDIAN);
        return new Bucket(0, inline);
    }

    private void walk(ByteBuffer p, Visitor v, int depth) throws IOException {
        if (depth >= MAX_DEPTH) throw corrupt("tree deeper than " + MAX_DEPTH);
        int flags = flags(p);
        int count = count(p);
        if (PAGE_HEADER + (long) count * ELEMENT > p.limit()) throw corrupt("page " + p.getLong(0) + " claims " + count + " elements");
        if ((flags & FLAG_LEAF) != 0) {
            for (int i = 0; i < count; i++) {
                int e = PAGE_HEADER + i * ELEMENT;
                int pos = e + p.getInt(e + 4);
                int ksize = p.getInt(e + 8);
                int vsize = p.getInt(e + 12);
                byte[] key = bytes(p, pos, ksize);
                boolean isBucket = (p.getInt(e) & LEAF_BUCKET) != 0;
                v.visit(key, isBucket ? null : bytes(p, pos + ksize, vsize));
            }
        } else if ((flags & FLAG_BRANCH) != 0) {
            for (int i = 0; i < count; i++) {
                walk(page(p.getLong(PAGE_HEADER + i * ELEMENT + 8)), v, depth + 1);
            }
        } else {
            throw corrupt("page " + p.getLong(0) + " has flags " + flags + ", expected a branch or leaf");
        }
    }

    /** A page with its overflow pages, as one buffer. */
    private ByteBuffer page(long pgid) throws IOException {
        if (pgid < 2 || pgid >= highWater) throw corrupt("page id " + pgid + " outside 2.." + (highWater - 1));
        long offset = pgid * pageSize;
        ByteBuffer header = read(file, offset, PAGE_HEADER);
        if (header.getLong(0) != pgid) throw corrupt("page " + pgid + " carries id " + header.getLong(0));
        long overflow = Integer.toUnsignedLong(header.getInt(12));
        long size = (1 + overflow) * pageSize;
        if (pgid + 1 + overflow > highWater || size > Integer.MAX_VALUE) {
            throw corrupt("page " + pgid + " overflows past the end (" + overflow + " overflow pages)");
        }
        return read(file, offset, (int) size);
    }

    private static int flags(ByteBuffer p) { return Short.toUnsignedInt(p.getShort(8)); }

    private static int count(ByteBuffer p) { return Short.toUnsignedInt(p.getShort(10)); }

    private byte[] bytes(ByteBuffer p, int pos, int len) {
        if (pos < 0 || len < 0 || (long) pos + len > p.limit()) {
            throw corrupt("element at " + pos + " of " + len + " bytes outside its page");
        }
        byte[] out = new byte[len];
        p.get(pos, out);
        return out;
    }

    private EtcdFormatException corrupt(String what) {
        return new EtcdFormatException(path + " is damaged: " + what);
    }

    private static ByteBuffer read(FileChannel ch, long offset, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, offset + buf.position());
            if (n < 0) throw new EOFException("end of file at " + (offset + buf.position()));
        }
        return buf.clear();
    }

    /** One meta page's fields, or null from {@link #parse} when the page is not a valid meta. */
    private record Meta(int pageSize, long rootPgid, long highWater, long txid) {
        static Meta parse(ByteBuffer page, int expectedId) {
            if (page.limit() < PAGE_HEADER + META_CHECKSUMMED + 8) return null;
            if ((Short.toUnsignedInt(page.getShort(8)) & FLAG_META) == 0 || page.getLong(0) != expectedId) return null;
            int m = PAGE_HEADER;
            if (page.getInt(m) != MAGIC || page.getInt(m + 4) != VERSION) return null;
            long sum = page.getLong(m + META_CHECKSUMMED);
            if (sum != Fnv64a.hash(page, m, META_CHECKSUMMED)) return null;
            int pageSize = page.getInt(m + 8);
            if (pageSize < 512 || Integer.bitCount(pageSize) != 1) return null;
            return new Meta(pageSize, page.getLong(m + 16), page.getLong(m + 40), page.getLong(m + 48));
        }
    }
}
