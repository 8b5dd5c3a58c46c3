package io.vetcd.wal;

/**
 * Tuning knobs of a {@link Wal}.
 *
 * @param segmentSize  a segment is closed and a new one started once a sync leaves it at least this
 *                     large (so a segment may exceed it by up to one batch)
 * @param fsync        whether {@link Wal#sync()} really forces data to disk; only tests and
 *                     throw-away clusters should turn this off
 * @param preallocate  extend each new segment to {@code segmentSize} up front (sparse), so appends
 *                     do not change the file size; recovery treats the zero tail as end of log
 * @param maxFiles     etcd's --max-wals: segments no longer needed (wholly before a released
 *                     snapshot) are deleted, oldest first, only while more than this many segment
 *                     files exist; 0 keeps every file. 1 (the default here) deletes each as soon as it
 *                     is released
 */
public record WalOptions(long segmentSize, boolean fsync, boolean preallocate, long maxFiles) {
    public static final long DEFAULT_SEGMENT_SIZE = 64L * 1024 * 1024;
    public static final WalOptions DEFAULT = new WalOptions(DEFAULT_SEGMENT_SIZE, true, true, 1);

    public WalOptions {
        // A segment must at least hold its header records; anything smaller is a configuration error.
        if (segmentSize < 1024) throw new IllegalArgumentException("segmentSize too small: " + segmentSize);
        // The reader loads a whole segment into one buffer, which is int-indexed.
        if (segmentSize > (1L << 30)) throw new IllegalArgumentException("segmentSize too large: " + segmentSize);
        if (maxFiles < 0) throw new IllegalArgumentException("maxFiles must not be negative: " + maxFiles);
    }

    public static WalOptions defaults() { return DEFAULT; }

    public WalOptions withSegmentSize(long size) { return new WalOptions(size, fsync, preallocate, maxFiles); }

    public WalOptions withFsync(boolean on) { return new WalOptions(segmentSize, on, preallocate, maxFiles); }

    public WalOptions withPreallocate(boolean on) { return new WalOptions(segmentSize, fsync, on, maxFiles); }

    /** etcd's --max-wals (0: keep every segment file). */
    public WalOptions withMaxFiles(long n) { return new WalOptions(segmentSize, fsync, preallocate, n); }
}
