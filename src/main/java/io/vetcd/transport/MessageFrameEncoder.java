package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;

/**
 * etcd's messageEncoder: each message as an 8-byte big-endian length and its raftpb bytes.
 * The framing of the {@code message} stream and of the message that heads a merged snapshot.
 */
final class MessageFrameEncoder implements StreamEncoder {
    /** etcd's linkHeartbeatMessage: a MsgHeartbeat with every other field zero. */
    static final Message LINK_HEARTBEAT = Message.of(MessageType.MsgHeartbeat).build();
    private static final byte[] LINK_HEARTBEAT_BYTES = EtcdRaftMessageCodec.encode(LINK_HEARTBEAT);

    @Override
    public void append(Buffer out, Message m) {
        appendFrame(out, m);
    }

    @Override
    public void appendLinkHeartbeat(Buffer out) {
        out.appendLong(LINK_HEARTBEAT_BYTES.length).appendBytes(LINK_HEARTBEAT_BYTES);
    }

    static Buffer appendFrame(Buffer out, Message m) {
        byte[] bytes = EtcdRaftMessageCodec.encode(m);
        return out.appendLong(bytes.length).appendBytes(bytes);
    }

    /** The frame alone, for a merged snapshot's head. */
    static byte[] frame(Message m) {
        byte[] bytes = EtcdRaftMessageCodec.encode(m);
        byte[] out = new byte[8 + bytes.length];
        java.nio.ByteBuffer.wrap(out).putLong(bytes.length).put(bytes);
        return out;
    }

    /** etcd's isLinkHeartbeatMessage. */
    static boolean isLinkHeartbeat(Message m) {
        return m.type() == MessageType.MsgHeartbeat && m.from() == 0 && m.to() == 0;
    }
}
