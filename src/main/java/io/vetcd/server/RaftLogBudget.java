package io.vetcd.server;

/**
 * Heap the in-memory raft log may hold. etcd bounds its log by entry count only (--snapshot-count,
 * 5,000 catch-up entries), so its memory grows with entry size: 100,000 entries of 100-put
 * transactions of 512-byte values are 5 GB. vetcd's heap is capped (deploy/vetcd), so the log also
 * snapshots once this many bytes arrived since the last snapshot, and keeps a catch-up tail of at most
 * half of it; whichever bound comes first wins. Default: an eighth of the maximum heap, at least 16 MiB
 * (32 MiB of a 256 MiB heap); {@code -Dvetcd.raft.logBytes=128m} overrides.
 */
public record RaftLogBudget(long bytes) {

    public static RaftLogBudget fromHeap() {
        return new RaftLogBudget(io.vetcd.mvcc.MvccOptions.bytesProperty("vetcd.raft.logBytes",
            Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 8)));
    }

    /** New payload since the last snapshot that triggers the next one. */
    public long snapshotAfter() { return bytes / 2; }

    /** Payload a compaction keeps for lagging followers. */
    public long catchUpTail() { return bytes / 2; }
}
