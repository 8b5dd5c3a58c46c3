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
 */
public record WalOptions(long segmentSize, boolean fsync, boolean preallocate) {
    public static final long DEFAULT_SEGMENT_SIZE = 64L * 1024 * 1024;
    public static final WalOptions DEFAULT = new WalOptions(DEFAULT_SEGMENT_SIZE, true, true);

    public WalOptions {
        // A segment must at least hold its header records; anything smaller is a configuration error.
        if (segmentSize < 1024) throw new IllegalArgumentException("segmentSize too small: " + segmentSize);
        // The reader loads a whole segment into one buffer, which is int-indexed.
        if (segmentSize > (1L << 30)) throw new IllegalArgumentException("segmentSize too large: " + segmentSize);
    }

    public static WalOptions defaults() { return DEFAULT; }

    public WalOptions withSegmentSize(long size) { return new WalOptions(size, fsync, preallocate); }

    public WalOptions withFsync(boolean on) { return new WalOptions(segmentSize, on, preallocate); }

    public WalOptions withPreallocate(boolean on) { return new WalOptions(segmentSize, fsync, on); }
}
