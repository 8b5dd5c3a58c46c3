package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageCodec;

import java.util.function.Consumer;

/**
 * Turns a raft stream's bytes back into messages. The stream is
 * {@link RaftBatchCodec}'s framing (4-byte big-endian length, then the codec
 * bytes) without end; a zero length is a link heartbeat that only keeps the
 * connection alive. Chunks may split frames anywhere, so a partial frame is
 * kept until the rest arrives. Not thread-safe: one stream, one context.
 */
public final class StreamFrameDecoder {
    private final Consumer<Message> sink;
    private Buffer pending = Buffer.buffer();
    private int pos;

    public StreamFrameDecoder(Consumer<Message> sink) {
        this.sink = sink;
    }

    /**
     * Feeds the next chunk, delivering every message it completes.
     * Throws IllegalArgumentException for a bad length or an undecodable message; the stream is then unusable.
     */
    public void feed(Buffer chunk) {
        if (pos == pending.length()) {
            // the common case, nothing left over: read the chunk in place instead of copying it
            pending = chunk;
        } else {
            Buffer rest = Buffer.buffer(pending.length() - pos + chunk.length());
            rest.appendBuffer(pending, pos, pending.length() - pos).appendBuffer(chunk);
            pending = rest;
        }
        pos = 0;
        while (pending.length() - pos >= 4) {
            int len = pending.getInt(pos);
            if (len < 0 || len > RaftBatchCodec.MAX_MESSAGE_BYTES) throw new IllegalArgumentException("bad frame length " + len);
            if (pending.length() - pos - 4 < len) break;
            pos += 4;
            if (len > 0) {
                Message m;
                try {
                    m = MessageCodec.decode(pending.getBytes(pos, pos + len));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("undecodable message: " + e.getMessage(), e);
                }
                pos += len;
                sink.accept(m);
            }
        }
    }

    /** Bytes of a frame begun but not yet complete. */
    public int buffered() {
        return pending.length() - pos;
    }
}
