package io.vetcd.raft;

/**
 * A request to change membership by one node. It travels through the log as the data of a
 * {@link EntryType#CONF_CHANGE} entry and takes effect when the application applies it via
 * {@link RaftNode#applyConfChange}.
 */
public record ConfChange(ConfChangeType type, long nodeId, byte[] context) {
    public ConfChange {
        if (type == null) throw new IllegalArgumentException("type required");
        if (context == null) context = Message.NO_BYTES;
    }

    public ConfChange(ConfChangeType type, long nodeId) { this(type, nodeId, null); }

    public byte[] encode() {
        ByteWriter w = new ByteWriter(16 + context.length);
        w.varint(type.code);
        w.varint(nodeId);
        w.bytes(context);
        return w.toByteArray();
    }

    public static ConfChange decode(byte[] data) {
        ByteReader r = new ByteReader(data);
        ConfChange cc = new ConfChange(ConfChangeType.ofCode((int) r.varint()), r.varint(), r.bytes());
        r.expectEnd();
        return cc;
    }
}
