package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The transport's wire format for {@link Message}. */
class MessageCodecTest {

    static Message random(SplittableRandom r) {
        MessageType t = MessageType.values()[r.nextInt(MessageType.values().length)];
        List<Entry> ents = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            byte[] d = new byte[r.nextInt(20)];
            r.nextBytes(d);
            ents.add(new Entry(r.nextLong(1, Long.MAX_VALUE), r.nextLong(0, Long.MAX_VALUE),
                r.nextBoolean() ? EntryType.NORMAL : EntryType.CONF_CHANGE, d));
        }
        Snapshot snap = null;
        if (r.nextInt(3) == 0) {
            TreeSet<Long> v = new TreeSet<>(), l = new TreeSet<>();
            for (int i = 0; i < r.nextInt(5); i++) v.add(r.nextLong(1, 1L << 40));
            for (int i = 0; i < r.nextInt(3); i++) l.add(r.nextLong(1, 1L << 40));
            byte[] d = new byte[r.nextInt(50)];
            r.nextBytes(d);
            snap = new Snapshot(new SnapshotMetadata(r.nextLong(0, 1L << 50), r.nextLong(0, 1L << 30), new ConfState(v, l)), d);
        }
        byte[] ctx = new byte[r.nextInt(3) == 0 ? r.nextInt(16) : 0];
        r.nextBytes(ctx);
        return new Message(t, r.nextLong(0, Long.MAX_VALUE), r.nextLong(), r.nextLong(0, 1L << 33), r.nextLong(0, 99),
            r.nextLong(), ents, r.nextLong(0, 1L << 40), snap, r.nextBoolean(), r.nextLong(), ctx);
    }

    static void assertSameMessage(Message a, Message b) {
        assertEquals(a.type(), b.type());
        assertEquals(a.from(), b.from());
        assertEquals(a.to(), b.to());
        assertEquals(a.term(), b.term());
        assertEquals(a.logTerm(), b.logTerm());
        assertEquals(a.index(), b.index());
        assertEquals(a.commit(), b.commit());
        assertEquals(a.reject(), b.reject());
        assertEquals(a.rejectHint(), b.rejectHint());
        assertArrayEquals(a.context(), b.context());
        assertEquals(a.entries().size(), b.entries().size());
        for (int i = 0; i < a.entries().size(); i++) {
            Entry x = a.entries().get(i), y = b.entries().get(i);
            assertEquals(x.term(), y.term());
            assertEquals(x.index(), y.index());
            assertEquals(x.type(), y.type());
            assertArrayEquals(x.data(), y.data());
        }
        assertEquals(a.snapshot() == null, b.snapshot() == null);
        if (a.snapshot() != null) {
            assertEquals(a.snapshot().metadata(), b.snapshot().metadata());
            assertArrayEquals(a.snapshot().data(), b.snapshot().data());
        }
    }

    @Test
    void everyMessageRoundTrips() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 5_000; i++) {
            Message m = random(r);
            assertSameMessage(m, MessageCodec.decode(MessageCodec.encode(m)));
        }
    }

    @Test
    void aHeartbeatIsSmall() {
        Message hb = Message.of(MessageType.MsgHeartbeat).from(1).to(2).term(7).commit(1000).build();
        assertTrue(MessageCodec.encode(hb).length <= 16, "heartbeat encodes to " + MessageCodec.encode(hb).length + " bytes");
    }

    @Test
    void typeCodesAreStable() {
        // The transport depends on these numbers; changing one is a wire-format break.
        assertEquals(0, MessageType.MsgHup.code);
        assertEquals(3, MessageType.MsgApp.code);
        assertEquals(8, MessageType.MsgHeartbeat.code);
        assertEquals(15, MessageType.MsgReadIndex.code);
        assertEquals(17, MessageType.MsgPreVote.code);
        assertEquals(18, MessageType.MsgPreVoteResp.code);
        for (MessageType t : MessageType.values()) assertEquals(t, MessageType.ofCode(t.code));
        assertEquals(0, EntryType.NORMAL.code);
        assertEquals(1, EntryType.CONF_CHANGE.code);
    }

    @Test
    void corruptInputIsRejectedNotMisread() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] b = MessageCodec.encode(random(r));
            byte[] cut = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            assertThrows(IllegalArgumentException.class, () -> MessageCodec.decode(cut));
        }
        byte[] ok = MessageCodec.encode(Message.of(MessageType.MsgBeat).build());
        byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 1);
        assertThrows(IllegalArgumentException.class, () -> MessageCodec.decode(trailing));
    }
}
