package io.vetcd.raft;

/**
 * A request to change membership by one node. It travels through the log as the data of a
 * {@link EntryType#CONF_CHANGE} entry and takes effect when the application applies it via
 * {@link RaftNode#applyConfChange}.
 *
 * <p>In the log it is etcd's {@code raftpb.ConfChange} (ID 1, Type 2, NodeID 3, Context 4), so
 * etcd members and vetcd members read each other's conf changes. {@code id} is the proposer's
 * request id (0 for the entries that bootstrap a cluster); {@code context} is the application's
 * (etcd: the member as JSON).
 */
public record ConfChange(long id, ConfChangeType type, long nodeId, byte[] context) {
    public ConfChange {
        if (type == null) throw new IllegalArgumentException("type required");
        if (context == null) context = Message.NO_BYTES;
    }

    public ConfChange(ConfChangeType type, long nodeId, byte[] context) { this(0, type, nodeId, context); }

    public ConfChange(ConfChangeType type, long nodeId) { this(0, type, nodeId, null); }

    /** etcd's encoding: ID, Type and NodeID always (gogo writes non-nullable fields), Context when set. */
    public byte[] encode() {
        ByteWriter w = new ByteWriter(24 + context.length);
        w.u8(0x08);
        w.varint(id);
        w.u8(0x10);
        w.varint(type.code);
        w.u8(0x18);
        w.varint(nodeId);
        if (context.length > 0) {
            w.u8(0x22);
            w.bytes(context);
        }
        return w.toByteArray();
    }

    public static ConfChange decode(byte[] data) {
        // vetcd once wrote type, node and context as three bare fields; a protobuf record never starts
        // with a byte below 8 (that would be field 0)
        if (data.length > 0 && (data[0] & 0xFF) < 8) return decodeLegacy(data);
        ByteReader r = new ByteReader(data);
        long id = 0, nodeId = 0;
        int type = 0;
        byte[] context = null;
        while (!r.atEnd()) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            switch (field) {
                case 1 -> id = wireVarint(r, wire);
                case 2 -> type = (int) wireVarint(r, wire);
                case 3 -> nodeId = wireVarint(r, wire);
                case 4 -> {
                    if (wire != 2) throw new IllegalArgumentException("conf change context has wire type " + wire);
                    context = r.bytes();
                }
                default -> r.skipField(wire); // a later release's field: not ours to interpret
            }
        }
        return new ConfChange(id, ConfChangeType.ofCode(type), nodeId, context);
    }

    private static long wireVarint(ByteReader r, int wire) {
        if (wire != 0) throw new IllegalArgumentException("conf change field has wire type " + wire + ", not varint");
        return r.varint();
    }

    private static ConfChange decodeLegacy(byte[] data) {
        ByteReader r = new ByteReader(data);
        ConfChange cc = new ConfChange(ConfChangeType.ofCode((int) r.varint()), r.varint(), r.bytes());
        r.expectEnd();
        return cc;
    }
}
