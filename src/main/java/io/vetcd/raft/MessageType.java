package io.vetcd.raft;

/**
 * Kinds of raft messages. Codes are part of the wire format ({@link MessageCodec}) and must never be
 * renumbered. "Local" types are only ever stepped into the node that created them.
 */
public enum MessageType {
    MsgHup(0, true),
    MsgBeat(1, true),
    MsgProp(2, false),
    MsgApp(3, false),
    MsgAppResp(4, false),
    MsgVote(5, false),
    MsgVoteResp(6, false),
    MsgSnap(7, false),
    MsgHeartbeat(8, false),
    MsgHeartbeatResp(9, false),
    MsgUnreachable(10, true),
    MsgSnapStatus(11, true),
    MsgCheckQuorum(12, true),
    MsgTransferLeader(13, false),
    MsgTimeoutNow(14, false),
    MsgReadIndex(15, false),
    MsgReadIndexResp(16, false),
    MsgPreVote(17, false),
    MsgPreVoteResp(18, false);

    public final int code;
    /** True for messages a node only ever gives itself (timers, transport feedback). */
    public final boolean local;

    private static final MessageType[] BY_CODE = new MessageType[19];

    static {
        for (MessageType t : values()) BY_CODE[t.code] = t;
    }

    MessageType(int code, boolean local) {
        this.code = code;
        this.local = local;
    }

    public static MessageType ofCode(int code) {
        if (code < 0 || code >= BY_CODE.length || BY_CODE[code] == null) {
            throw new IllegalArgumentException("unknown message type " + code);
        }
        return BY_CODE[code];
    }

    /** The response type a voter sends for a (pre-)vote request. */
    public MessageType voteResponse() {
        return switch (this) {
            case MsgVote -> MsgVoteResp;
            case MsgPreVote -> MsgPreVoteResp;
            default -> throw new IllegalArgumentException("not a vote request: " + this);
        };
    }

    public boolean isResponse() {
        return this == MsgAppResp || this == MsgVoteResp || this == MsgHeartbeatResp
            || this == MsgUnreachable || this == MsgPreVoteResp;
    }
}
