package io.vetcd.etcdformat;

import static io.vetcd.etcdformat.BoltLayout.PAGE_HEADER_SIZE;
import static io.vetcd.etcdformat.BoltLayout.PAGE_SIZE;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a fresh bbolt database file, streaming: top-level buckets and their keys arrive in
 * ascending order ({@link BucketSink}) and pages are appended as soon as they are full.
 *
 * <p>File layout: pages 0 and 1 are the two meta pages, page 2 an empty freelist (every page is
 * in use), then each bucket's tree, then the root bucket's tree (its leaves map bucket names to
 * their root pages, so it is written last). Pages 0-2 are filled in by {@link #finish()}. Both
 * meta pages describe the same tree, so the file is valid whichever one bbolt picks. Buckets are
 * never inlined: bbolt reads both forms, and an empty bucket simply gets an empty leaf page.
 */
public final class BoltWriter implements BucketSink, Closeable {
    /** Meta, meta, freelist. */
    private static final int FIRST_DATA_PAGE = 3;
    private static final int FREELIST_PAGE_ID = 2;

    private final FileChannel file;
    private final OutputStream data;
    private long nextPgid = FIRST_DATA_PAGE;
    private final List<byte[]> bucketNames = new ArrayList<>();
    private final List<Long> bucketRoots = new ArrayList<>();
    private BoltTreeBuilder current;
    private byte[] lastKey;
    private boolean finished;

    public BoltWriter(Path path) throws IOException {
        this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
        file.position((long) FIRST_DATA_PAGE * PAGE_SIZE);
        this.data = new BufferedOutputStream(Channels.newOutputStream(file), 1 << 20);
    }

    @Override
    public void bucket(byte[] name) throws IOException {
        endBucket();
        if (!bucketNames.isEmpty() && Arrays.compareUnsigned(bucketNames.get(bucketNames.size() - 1), name) >= 0) {
            throw new IllegalArgumentException("bucket names must be given in ascending order");
        }
        bucketNames.add(name.clone());
        current = new BoltTreeBuilder(this::writePage);
        lastKey = null;
    }

    @Override
    public void put(byte[] key, byte[] value) throws IOException {
        if (current == null) throw new IllegalStateException("put before the first bucket");
        if (key.length == 0) throw new IllegalArgumentException("empty key");
        if (lastKey != null && Arrays.compareUnsigned(lastKey, key) >= 0) {
            throw new IllegalArgumentException("keys must be given in ascending order");
        }
        lastKey = key;
        current.add(0, key, value);
    }

    private void endBucket() throws IOException {
        if (current != null) {
            bucketRoots.add(current.finish());
            current = null;
        }
    }

    /** Writes the root bucket, freelist and meta pages and syncs the file. */
    public void finish() throws IOException {
        endBucket();
        BoltTreeBuilder root = new BoltTreeBuilder(this::writePage);
        for (int i = 0; i < bucketNames.size(); i++) {
            ByteBuffer header = ByteBuffer.allocate(BoltLayout.BUCKET_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0, bucketRoots.get(i)).putLong(8, 0); // sequence 0, as etcd never uses NextSequence
            root.add(BoltLayout.BUCKET_LEAF_FLAG, bucketNames.get(i), header.array());
        }
        long rootPgid = root.finish();
        data.flush();
        writeAt(FREELIST_PAGE_ID, emptyFreelist());
        writeAt(0, meta(0, rootPgid, 0));
        writeAt(1, meta(1, rootPgid, 1));
        file.force(true);
        finished = true;
    }

    /** Size of the finished file: every page up to the high-water mark. */
    public long length() {
        return nextPgid * PAGE_SIZE;
    }

    private long writePage(ByteBuffer page, short flags, int count) throws IOException {
        long id = nextPgid;
        int pages = page.capacity() / PAGE_SIZE;
        page.putLong(BoltLayout.OFF_PAGE_ID, id)
            .putShort(BoltLayout.OFF_PAGE_FLAGS, flags)
            .putShort(BoltLayout.OFF_PAGE_COUNT, (short) count)
            .putInt(BoltLayout.OFF_PAGE_OVERFLOW, pages - 1);
        data.write(page.array(), 0, page.capacity());
        nextPgid += pages;
        return id;
    }

    private static ByteBuffer emptyFreelist() {
        ByteBuffer p = ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        p.putLong(BoltLayout.OFF_PAGE_ID, FREELIST_PAGE_ID).putShort(BoltLayout.OFF_PAGE_FLAGS, BoltLayout.FREELIST_PAGE);
        return p;
    }

    private ByteBuffer meta(long pageId, long rootPgid, long txid) {
        ByteBuffer p = ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        p.putLong(BoltLayout.OFF_PAGE_ID, pageId).putShort(BoltLayout.OFF_PAGE_FLAGS, BoltLayout.META_PAGE);
        int m = PAGE_HEADER_SIZE;
        p.putInt(m + BoltLayout.META_OFF_MAGIC, BoltLayout.MAGIC)
            .putInt(m + BoltLayout.META_OFF_VERSION, BoltLayout.VERSION)
            .putInt(m + BoltLayout.META_OFF_PAGE_SIZE, PAGE_SIZE)
            .putInt(m + BoltLayout.META_OFF_FLAGS, 0)
            .putLong(m + BoltLayout.META_OFF_ROOT, rootPgid)
            .putLong(m + BoltLayout.META_OFF_ROOT + 8, 0)
            .putLong(m + BoltLayout.META_OFF_FREELIST, FREELIST_PAGE_ID)
            .putLong(m + BoltLayout.META_OFF_HIGH_WATER, nextPgid)
            .putLong(m + BoltLayout.META_OFF_TXID, txid);
        p.putLong(m + BoltLayout.META_OFF_CHECKSUM, Fnv64a.hash(p, m, BoltLayout.META_OFF_CHECKSUM));
        return p;
    }

    private void writeAt(long pageId, ByteBuffer page) throws IOException {
        long pos = pageId * PAGE_SIZE;
        page.position(0);
        while (page.hasRemaining()) {
            pos += file.write(page, pos);
        }
    }

    /** Closes the file; a writer closed before {@link #finish()} leaves an invalid file behind. */
    @Override
    public void close() throws IOException {
        try {
            if (!finished) data.flush();
        } finally {
            file.close();
        }
    }
}
