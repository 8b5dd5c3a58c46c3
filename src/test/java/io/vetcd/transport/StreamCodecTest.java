package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Both stream framings (message: etcd's messageEncoder; msgapp: msgappv2) survive any chunking,
 * drop link heartbeats, and refuse garbage; msgappv2's AppEntries frames rebuild whole MsgApps.
 */
class StreamCodecTest {
    static final long LEADER = 1, FOLLOWER = 2;

    /** A leader's run of appends: mostly continuing where the last left off (AppEntries), sometimes not. */
    static List<Message> appends(SplittableRandom r, int n) {
        List<Message> out = new ArrayList<>();
        long term = 3, index = 10;
        for (int i = 0; i < n; i++) {
            if (r.nextInt(6) == 0) index -= r.nextInt(5); // a probe backwards: a full frame
            if (r.nextInt(20) == 0) term++;              // a new term: a full frame
            List<Entry> entries = new ArrayList<>();
            for (int k = 0, m = r.nextInt(4); k < m; k++) {
                byte[] d = new byte[r.nextInt(300)];
                r.nextBytes(d);
                entries.add(new Entry(term, index + 1 + k, r.nextInt(5) == 0 ? EntryType.CONF_CHANGE : EntryType.NORMAL, d));
            }
            out.add(new Message(MessageType.MsgApp, LEADER, FOLLOWER, term, term, index, entries, index, null, false, 0, null));
            index += entries.size();
        }
        return out;
    }

    static List<Message> others(SplittableRandom r, int n) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(switch (r.nextInt(3)) {
                case 0 -> Message.of(MessageType.MsgHeartbeat).from(LEADER).to(FOLLOWER).term(3).commit(i).build();
                case 1 -> Message.of(MessageType.MsgVote).from(LEADER).to(FOLLOWER).term(4).logTerm(3).index(i).build();
                default -> Message.of(MessageType.MsgReadIndexResp).from(LEADER).to(FOLLOWER).term(3).index(i)
                    .context(new byte[]{0, 0, 0, 0, 0, 0, 0, (byte) i}).build();
            });
        }
        return out;
    }

    @Test
    void bothFramingsSurviveArbitraryChunkSplitsAndHeartbeats() {
        SplittableRandom r = new SplittableRandom(42);
        for (StreamType type : StreamType.values()) {
            for (int round = 0; round < 200; round++) {
                List<Message> sent = type == StreamType.MSGAPP ? appends(r, 1 + r.nextInt(30)) : others(r, 1 + r.nextInt(30));
                StreamEncoder enc = StreamEncoder.of(type);
                Buffer stream = Buffer.buffer();
                for (Message m : sent) {
                    if (r.nextInt(4) == 0) enc.appendLinkHeartbeat(stream);
                    enc.append(stream, m);
                }
                List<Message> got = new ArrayList<>();
                StreamDecoder d = StreamDecoder.of(type, FOLLOWER, LEADER, got::add);
                int pos = 0;
                while (pos < stream.length()) {
                    int n = Math.min(stream.length() - pos, 1 + r.nextInt(r.nextBoolean() ? 7 : 2000));
                    d.feed(stream.getBuffer(pos, pos + n));
                    pos += n;
                }
                assertEquals(0, d.buffered());
                assertEquals(sent.size(), got.size(), type + " round " + round);
                for (int i = 0; i < sent.size(); i++) assertSame(sent.get(i), got.get(i));
            }
        }
    }

    static void assertSame(Message a, Message b) {
        assertEquals(a.type(), b.type());
        assertEquals(a.from(), b.from());
        assertEquals(a.to(), b.to());
        assertEquals(a.term(), b.term());
        assertEquals(a.logTerm(), b.logTerm());
        assertEquals(a.index(), b.index());
        assertEquals(a.commit(), b.commit());
        assertArrayEquals(a.context(), b.context());
        assertEquals(a.entries().size(), b.entries().size());
        for (int j = 0; j < a.entries().size(); j++) {
            assertEquals(a.entries().get(j).index(), b.entries().get(j).index());
            assertEquals(a.entries().get(j).term(), b.entries().get(j).term());
            assertEquals(a.entries().get(j).type(), b.entries().get(j).type());
            assertArrayEquals(a.entries().get(j).data(), b.entries().get(j).data());
        }
    }

    /** What etcd's msgappv2 encoder writes for a first MsgApp and a continuation (derived from msgappv2_codec.go). */
    @Test
    void msgAppV2BytesAreEtcds() {
        Entry e1 = new Entry(1, 1, EntryType.NORMAL, new byte[]{'x'});
        Entry e2 = new Entry(1, 2, EntryType.NORMAL, new byte[]{'y'});
        Message first = new Message(MessageType.MsgApp, 1, 2, 1, 0, 0, List.of(e1), 1, null, false, 0, null);
        Message next = new Message(MessageType.MsgApp, 1, 2, 1, 1, 1, List.of(e2), 2, null, false, 0, null);
        Buffer b = Buffer.buffer();
        StreamEncoder enc = StreamEncoder.of(StreamType.MSGAPP);
        enc.append(b, first);  // log term 0 != term 1: a whole message
        enc.append(b, next);   // continues at index 1, term 1: AppEntries
        enc.appendLinkHeartbeat(b);
        byte[] firstPb = EtcdRaftMessageCodec.encode(first);
        String expected = "02" + String.format("%016x", firstPb.length) + HexFormat.of().formatHex(firstPb)
            + "01" + "0000000000000001" + "0000000000000009" + "080010011802220179" + "0000000000000002"
            + "00";
        assertEquals(expected, HexFormat.of().formatHex(b.getBytes()));
    }

    @Test
    void partialFrameWaitsForTheRest() {
        for (StreamType type : StreamType.values()) {
            Message m = appends(new SplittableRandom(1), 1).get(0);
            Buffer frame = Buffer.buffer();
            StreamEncoder.of(type).append(frame, m);
            List<Message> got = new ArrayList<>();
            StreamDecoder d = StreamDecoder.of(type, FOLLOWER, LEADER, got::add);
            d.feed(frame.getBuffer(0, 3));
            d.feed(frame.getBuffer(3, frame.length() - 1));
            assertEquals(0, got.size());
            assertEquals(frame.length() - 1, d.buffered());
            d.feed(frame.getBuffer(frame.length() - 1, frame.length()));
            assertEquals(1, got.size());
        }
    }

    @Test
    void badLengthsAndGarbageAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MessageFrameDecoder(m -> { }).feed(Buffer.buffer().appendLong(-5)));
        assertThrows(IllegalArgumentException.class, () -> new MessageFrameDecoder(m -> { }).feed(Buffer.buffer().appendLong(Long.MAX_VALUE)));
        assertThrows(IllegalArgumentException.class, () -> new MessageFrameDecoder(m -> { })
            .feed(Buffer.buffer().appendLong(5).appendBytes(new byte[]{(byte) 0xff, 1, 2, 3, 4})));
        assertThrows(IllegalArgumentException.class, () -> new MsgAppV2Decoder(2, 1, m -> { }).feed(Buffer.buffer().appendByte((byte) 7)));
        assertThrows(IllegalArgumentException.class, () -> new MsgAppV2Decoder(2, 1, m -> { })
            .feed(Buffer.buffer().appendByte((byte) 1).appendLong(1L << 40)));
    }
}
