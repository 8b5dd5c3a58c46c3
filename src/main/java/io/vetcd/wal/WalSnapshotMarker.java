package io.vetcd.wal;

/**
 * Records that a backend snapshot covering the log up to {@code index} (at {@code term}) exists, so
 * recovery can start replaying entries after it and older segments may be released.
 */
public record WalSnapshotMarker(long index, long term) {
    public WalSnapshotMarker {
        if (index < 0 || term < 0) throw new IllegalArgumentException("negative index/term");
    }
}
