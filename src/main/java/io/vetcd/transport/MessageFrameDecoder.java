package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.raft.Message;

import java.util.function.Consumer;

/** Reads {@link MessageFrameEncoder}'s frames (the {@code message} stream) without end. */
final class MessageFrameDecoder implements StreamDecoder {
    /** A peer must not make us allocate more than this for one message (etcd allows 512 MB; a raft batch is ~1 MB). */
    static final long MAX_MESSAGE_BYTES = 256L << 20;

    private final Consumer<Message> sink;
    private final ChunkBuffer in = new ChunkBuffer();

    MessageFrameDecoder(Consumer<Message> sink) {
        this.sink = sink;
    }

    @Override
    public void feed(Buffer chunk) {
        in.add(chunk);
        while (in.available() >= 8) {
            long len = in.buffer().getLong(in.pos());
            if (len < 0 || len > MAX_MESSAGE_BYTES) throw new IllegalArgumentException("bad frame length " + len);
            if (in.available() - 8 < len) break;
            int start = in.pos() + 8;
            Message m = EtcdRaftMessageCodec.decode(in.buffer().getBytes(start, start + (int) len));
            in.skip(8 + (int) len);
            if (!MessageFrameEncoder.isLinkHeartbeat(m)) sink.accept(m);
        }
    }

    @Override
    public int buffered() {
        return in.available();
    }
}
