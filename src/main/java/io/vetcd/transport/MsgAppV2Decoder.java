package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.raft.Entry;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads {@link MsgAppV2Encoder}'s frames (the {@code msgapp} stream) without end, keeping the
 * same term/index state as the writer so that AppEntries frames become whole MsgApps again.
 * A frame is decoded only once all of it has arrived: its extent is found first by walking the
 * length fields, which is cheap, so a large frame arriving in many chunks is not decoded twice.
 */
final class MsgAppV2Decoder implements StreamDecoder {
    /** Bounds on what a peer can make us allocate or loop over for one frame. */
    static final long MAX_FRAME_BYTES = MessageFrameDecoder.MAX_MESSAGE_BYTES;
    private static final long MAX_ENTRIES = 1 << 24;

    private final long localId;
    private final long remoteId;
    private final Consumer<Message> sink;
    private final ChunkBuffer in = new ChunkBuffer();
    private long term;
    private long index;

    MsgAppV2Decoder(long localId, long remoteId, Consumer<Message> sink) {
        this.localId = localId;
        this.remoteId = remoteId;
        this.sink = sink;
    }

    @Override
    public void feed(Buffer chunk) {
        in.add(chunk);
        int length;
        while ((length = completeFrameLength()) > 0) {
            Buffer b = in.buffer();
            int p = in.pos();
            switch (b.getByte(p)) {
                case MsgAppV2Encoder.LINK_HEARTBEAT -> { } // the link layer's, not raft's
                case MsgAppV2Encoder.APP_ENTRIES -> sink.accept(appEntries(b, p + 1));
                default -> {
                    int size = (int) b.getLong(p + 1);
                    Message m = EtcdRaftMessageCodec.decode(b.getBytes(p + 9, p + 9 + size));
                    term = m.term();
                    index = m.entries().isEmpty() ? m.index() : m.entries().get(m.entries().size() - 1).index();
                    if (!MessageFrameEncoder.isLinkHeartbeat(m)) sink.accept(m);
                }
            }
            in.skip(length);
        }
    }

    private Message appEntries(Buffer b, int p) {
        int n = (int) b.getLong(p);
        p += 8;
        List<Entry> entries = new ArrayList<>(n);
        long first = index;
        for (int i = 0; i < n; i++) {
            int size = (int) b.getLong(p);
            p += 8;
            byte[] bytes = b.getBytes(p, p + size);
            entries.add(EtcdRaftMessageCodec.decodeEntry(bytes, 0, size));
            p += size;
            index++;
        }
        long commit = b.getLong(p);
        return new Message(MessageType.MsgApp, remoteId, localId, term, term, first, entries, commit, null, false, 0, null);
    }

    /** The length of the frame at the read position if all of it is here, else 0. */
    private int completeFrameLength() {
        int avail = in.available();
        if (avail < 1) return 0;
        Buffer b = in.buffer();
        int p = in.pos();
        byte type = b.getByte(p);
        switch (type) {
            case MsgAppV2Encoder.LINK_HEARTBEAT:
                return 1;
            case MsgAppV2Encoder.APP: {
                if (avail < 9) return 0;
                long size = b.getLong(p + 1);
                if (size < 0 || size > MAX_FRAME_BYTES) throw new IllegalArgumentException("bad message length " + size);
                return avail >= 9 + size ? 9 + (int) size : 0;
            }
            case MsgAppV2Encoder.APP_ENTRIES: {
                if (avail < 9) return 0;
                long n = b.getLong(p + 1);
                if (n < 0 || n > MAX_ENTRIES) throw new IllegalArgumentException("bad entry count " + n);
                long at = 9;
                for (long i = 0; i < n; i++) {
                    if (avail < at + 8) return 0;
                    long size = b.getLong(p + (int) at);
                    if (size < 0 || size > MAX_FRAME_BYTES) throw new IllegalArgumentException("bad entry length " + size);
                    at += 8 + size;
                    if (at > MAX_FRAME_BYTES) throw new IllegalArgumentException("AppEntries frame too large");
                }
                at += 8; // commit
                return avail >= at ? (int) at : 0;
            }
            default:
                throw new IllegalArgumentException("failed to parse type " + type + " in msgappv2 stream");
        }
    }

    @Override
    public int buffered() {
        return in.available();
    }
}
