package io.vetcd.raft;

/** Application state up to {@code metadata.index()}, opaque to raft; replaces the log prefix it covers. */
public record Snapshot(SnapshotMetadata metadata, byte[] data) {
    public static final Snapshot EMPTY = new Snapshot(new SnapshotMetadata(0, 0, ConfState.EMPTY), new byte[0]);

    public Snapshot {
        if (metadata == null) metadata = EMPTY.metadata();
        if (data == null) data = Message.NO_BYTES;
    }

    public boolean isEmpty() { return metadata.index() == 0; }

    public long index() { return metadata.index(); }

    public long term() { return metadata.term(); }
}
