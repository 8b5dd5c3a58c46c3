package io.vetcd.raft;

/** Where a snapshot sits in the log (the last entry it covers) and the membership at that point. */
public record SnapshotMetadata(long index, long term, ConfState confState) {
    public SnapshotMetadata {
        if (confState == null) confState = ConfState.EMPTY;
    }
}
