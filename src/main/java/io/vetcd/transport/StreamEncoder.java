package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.raft.Message;

/**
 * Writes raft messages into one stream's response body in that stream type's framing. An
 * encoder may keep state between messages (msgappv2 does), so one stream has one encoder and
 * everything it writes goes through it, in order. Not thread-safe.
 */
interface StreamEncoder {
    /** Appends m's bytes to out. */
    void append(Buffer out, Message m);

    /** Appends a link heartbeat: keeps an idle connection alive and is dropped by the reader. */
    void appendLinkHeartbeat(Buffer out);

    static StreamEncoder of(StreamType type) {
        return type == StreamType.MSGAPP ? new MsgAppV2Encoder() : new MessageFrameEncoder();
    }
}
