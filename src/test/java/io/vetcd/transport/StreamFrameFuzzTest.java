package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.fuzz.FuzzBudget;
import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a broken peer can put on a raft stream ({@code /raft/stream/message} and {@code msgappv2}
 * frames, split at any byte) and in a {@code POST /raft} body: the decoders either read messages
 * or refuse with IllegalArgumentException, which the stream reader turns into a closed stream and
 * a redial — never another exception, and intact frames still decode the same after a split.
 */
@AddLifecycleHook(value = FuzzBudget.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class StreamFrameFuzzTest {
    private static final long LOCAL = 0x10, REMOTE = 0x20;

    @Property(tries = 2000)
    void garbledMessageStreamIsReadOrRefused(@ForAll("messageStreams") List<byte[]> chunks) {
        MessageFrameDecoder d = new MessageFrameDecoder(m -> { });
        feed(d, chunks);
    }

    @Property(tries = 2000)
    void garbledMsgAppV2StreamIsReadOrRefused(@ForAll("msgAppStreams") List<byte[]> chunks) {
        MsgAppV2Decoder d = new MsgAppV2Decoder(LOCAL, REMOTE, m -> { });
        feed(d, chunks);
    }

    @Property(tries = 2000)
    void garbledRaftMessageIsDecodedOrRefused(@ForAll("garbledMessages") byte[] body) {
        try {
            EtcdRaftMessageCodec.decode(body);
        } catch (IllegalArgumentException refused) {
            // POST /raft answers 400 "error unmarshalling raft message"
        }
    }

    /** Intact frames split at random points decode to the same messages as unsplit. */
    @Property(tries = 500)
    void splitsDoNotChangeWhatIsRead(@ForAll("seeds") long seed) {
        Random r = new Random(seed);
        List<Message> sent = new ArrayList<>();
        Buffer wire = Buffer.buffer();
        MsgAppV2Encoder enc = new MsgAppV2Encoder();
        for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) {
            Message m = message(r, i + 1, MessageType.MsgApp);
            sent.add(m);
            enc.append(wire, m);
        }
        List<Message> read = new ArrayList<>();
        MsgAppV2Decoder d = new MsgAppV2Decoder(REMOTE, LOCAL, read::add);
        feed(d, split(r, wire.getBytes()));
        assertEquals(sent.size(), read.size());
        for (int i = 0; i < sent.size(); i++) assertEquals(sent.get(i).entries().size(), read.get(i).entries().size());
    }

    private static void feed(StreamDecoder d, List<byte[]> chunks) {
        try {
            for (byte[] c : chunks) d.feed(Buffer.buffer(c));
        } catch (IllegalArgumentException refused) {
            // the reader closes the stream; the peer redials
        }
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Provide
    Arbitrary<byte[]> garbledMessages() {
        return Arbitraries.randomValue(r -> garble(r, EtcdRaftMessageCodec.encode(message(r, r.nextInt(100))))).withoutEdgeCases();
    }

    @Provide
    Arbitrary<List<byte[]>> messageStreams() {
        return Arbitraries.randomValue(r -> {
            Buffer wire = Buffer.buffer();
            MessageFrameEncoder enc = new MessageFrameEncoder();
            for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) enc.append(wire, message(r, i));
            return split(r, garble(r, wire.getBytes()));
        }).withoutEdgeCases();
    }

    @Provide
    Arbitrary<List<byte[]>> msgAppStreams() {
        return Arbitraries.randomValue(r -> {
            Buffer wire = Buffer.buffer();
            MsgAppV2Encoder enc = new MsgAppV2Encoder();
            for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) enc.append(wire, message(r, i + 1));
            return split(r, garble(r, wire.getBytes()));
        }).withoutEdgeCases();
    }

    private static Message message(Random r, long index) {
        return message(r, index, r.nextBoolean() ? MessageType.MsgApp : MessageType.values()[r.nextInt(MessageType.values().length)]);
    }

    private static Message message(Random r, long index, MessageType type) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0, n = r.nextInt(3); i < n; i++) {
            byte[] data = new byte[r.nextInt(50)];
            r.nextBytes(data);
            entries.add(new Entry(1, index + i + 1, EntryType.NORMAL, data));
        }
        return Message.of(type).from(REMOTE).to(LOCAL).term(1).logTerm(1).index(index).commit(index)
            .entries(entries).build();
    }

    private static byte[] garble(Random r, byte[] valid) {
        byte[] b = valid.clone();
        switch (r.nextInt(5)) {
            case 0 -> { return b; }
            case 1 -> { return java.util.Arrays.copyOf(b, r.nextInt(b.length + 1)); }
            case 2 -> {
                byte[] x = new byte[r.nextInt(64)];
                r.nextBytes(x);
                return x;
            }
            default -> {
                if (b.length == 0) return b;
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                return b;
            }
        }
    }

    private static List<byte[]> split(Random r, byte[] wire) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < wire.length) {
            int n = Math.min(wire.length - at, 1 + r.nextInt(Math.max(1, wire.length / 2)));
            out.add(java.util.Arrays.copyOfRange(wire, at, at + n));
            at += n;
        }
        return out;
    }
}
