package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageCodec;

import java.util.ArrayList;
import java.util.List;

/**
 * A POST /raft body: messages back to back, each as a 4-byte big-endian length and its codec bytes.
 * Raft streams carry the same frames (see {@link StreamFrameDecoder}).
 */
public final class RaftBatchCodec {
    /** A peer must not make us allocate more than this for one message. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private RaftBatchCodec() {}

    public static Buffer encode(List<Message> messages) {
        Buffer b = Buffer.buffer();
        for (Message m : messages) appendFrame(b, m);
        return b;
    }

    /** Appends one message as a frame; raft streams are the same frames without end. */
    public static Buffer appendFrame(Buffer b, Message m) {
        byte[] bytes = MessageCodec.encode(m);
        return b.appendInt(bytes.length).appendBytes(bytes);
    }

    /** Decodes a whole body, or throws IllegalArgumentException for anything malformed. */
    public static List<Message> decode(Buffer body) {
        List<Message> out = new ArrayList<>();
        int pos = 0;
        while (pos < body.length()) {
            if (body.length() - pos < 4) throw new IllegalArgumentException("truncated length at " + pos);
            int len = body.getInt(pos);
            pos += 4;
            if (len < 0 || len > MAX_MESSAGE_BYTES || len > body.length() - pos) {
                throw new IllegalArgumentException("bad message length " + len + " at " + (pos - 4));
            }
            try {
                out.add(MessageCodec.decode(body.getBytes(pos, pos + len)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("undecodable message at " + (pos - 4) + ": " + e.getMessage(), e);
            }
            pos += len;
        }
        return out;
    }
}
