package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.raft.Message;

import java.util.function.Consumer;

/**
 * Turns one stream's bytes back into raft messages, in that stream type's framing. Chunks may
 * split frames anywhere; link heartbeats are dropped here, as etcd's stream reader drops them.
 * Not thread-safe: one stream, one context.
 */
interface StreamDecoder {
    /**
     * Feeds the next chunk, delivering every message it completes. Throws
     * IllegalArgumentException for anything malformed; the stream is then unusable.
     */
    void feed(Buffer chunk);

    /** Bytes of a frame begun but not yet complete. */
    int buffered();

    /** localId: this member, remoteId: the peer writing the stream (msgappv2 leaves them out of its appends). */
    static StreamDecoder of(StreamType type, long localId, long remoteId, Consumer<Message> sink) {
        return type == StreamType.MSGAPP ? new MsgAppV2Decoder(localId, remoteId, sink) : new MessageFrameDecoder(sink);
    }
}
