package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Raft stream frames survive any chunking; bad frames are refused. */
class StreamFrameDecoderTest {
    static Message message(SplittableRandom r, long index) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0, n = r.nextInt(4); i < n; i++) {
            byte[] d = new byte[r.nextInt(300)];
            r.nextBytes(d);
            entries.add(new Entry(3, index + i, EntryType.NORMAL, d));
        }
        MessageType t = r.nextBoolean() ? MessageType.MsgApp : MessageType.MsgHeartbeat;
        return new Message(t, 1, 2, 3, 2, index, entries, index, null, false, 0, new byte[0]);
    }

    @Test
    void framesSurviveArbitraryChunkSplitsAndHeartbeats() {
        SplittableRandom r = new SplittableRandom(42);
        for (int round = 0; round < 200; round++) {
            List<Message> sent = new ArrayList<>();
            Buffer stream = Buffer.buffer();
            for (int i = 0; i < 1 + r.nextInt(30); i++) {
                if (r.nextInt(4) == 0) stream.appendInt(0); // link heartbeat
                Message m = message(r, i * 10L + 1);
                sent.add(m);
                RaftBatchCodec.appendFrame(stream, m);
            }
            List<Message> got = new ArrayList<>();
            StreamFrameDecoder d = new StreamFrameDecoder(got::add);
            int pos = 0;
            while (pos < stream.length()) {
                // chunks of 1 byte up to a few frames, cutting lengths and bodies anywhere
                int n = Math.min(stream.length() - pos, 1 + r.nextInt(r.nextBoolean() ? 7 : 2000));
                d.feed(stream.getBuffer(pos, pos + n));
                pos += n;
            }
            assertEquals(0, d.buffered());
            assertEquals(sent.size(), got.size());
            for (int i = 0; i < sent.size(); i++) {
                Message a = sent.get(i), b = got.get(i);
                assertEquals(a.type(), b.type());
                assertEquals(a.index(), b.index());
                assertEquals(a.entries().size(), b.entries().size());
                for (int j = 0; j < a.entries().size(); j++) assertArrayEquals(a.entries().get(j).data(), b.entries().get(j).data());
            }
        }
    }

    @Test
    void partialFrameWaitsForTheRest() {
        Message m = message(new SplittableRandom(1), 5);
        Buffer frame = RaftBatchCodec.appendFrame(Buffer.buffer(), m);
        List<Message> got = new ArrayList<>();
        StreamFrameDecoder d = new StreamFrameDecoder(got::add);
        d.feed(frame.getBuffer(0, 3));
        d.feed(frame.getBuffer(3, frame.length() - 1));
        assertEquals(0, got.size());
        assertEquals(frame.length() - 1, d.buffered());
        d.feed(frame.getBuffer(frame.length() - 1, frame.length()));
        assertEquals(1, got.size());
    }

    @Test
    void badLengthsAndGarbageAreRefused() {
        StreamFrameDecoder negative = new StreamFrameDecoder(m -> { });
        assertThrows(IllegalArgumentException.class, () -> negative.feed(Buffer.buffer().appendInt(-5)));
        StreamFrameDecoder huge = new StreamFrameDecoder(m -> { });
        assertThrows(IllegalArgumentException.class, () -> huge.feed(Buffer.buffer().appendInt(Integer.MAX_VALUE)));
        StreamFrameDecoder garbage = new StreamFrameDecoder(m -> { });
        assertThrows(IllegalArgumentException.class,
            () -> garbage.feed(Buffer.buffer().appendInt(5).appendBytes(new byte[]{(byte) 0xff, 1, 2, 3, 4})));
    }
}
