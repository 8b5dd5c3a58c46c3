package io.vetcd.transport;

import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;

/**
 * The two long-lived raft streams etcd keeps per peer pair: {@code msgapp}
 * for log appends (the hot path) and {@code message} for everything else.
 */
public enum StreamType {
    MSGAPP("msgapp"),
    MESSAGE("message");

    private final String pathSegment;

    StreamType(String pathSegment) {
        this.pathSegment = pathSegment;
    }

    /** The route a member dials to receive this stream from a peer: {@code /raft/stream/<type>/<dialer id>}. */
    public String path(long dialerId) {
        return "/raft/stream/" + pathSegment + "/" + Long.toHexString(dialerId);
    }

    public String pathSegment() {
        return pathSegment;
    }

    /** The type named in a route, or null. */
    public static StreamType fromPathSegment(String s) {
        for (StreamType t : values()) if (t.pathSegment.equals(s)) return t;
        return null;
    }

    /** Where etcd would prefer to carry m: appends on msgapp, the rest on message. */
    public static StreamType preferredFor(Message m) {
        return m.type() == MessageType.MsgApp ? MSGAPP : MESSAGE;
    }
}
