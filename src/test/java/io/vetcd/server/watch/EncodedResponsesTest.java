package io.vetcd.server.watch;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pre-encoded responses must be exactly what protobuf itself writes for the same response. */
class EncodedResponsesTest {
    private final Random rnd = new Random(42);

    private ByteString bytes(int max) {
        byte[] b = new byte[rnd.nextInt(max + 1)];
        rnd.nextBytes(b);
        return ByteString.copyFrom(b);
    }

    private KeyValue kv(long rev) {
        return KeyValue.newBuilder().setKey(bytes(40)).setCreateRevision(rnd.nextBoolean() ? 0 : rev - rnd.nextInt(5))
            .setModRevision(rev).setVersion(rnd.nextInt(3)).setValue(bytes(rnd.nextBoolean() ? 20 : 300))
            .setLease(rnd.nextBoolean() ? 0 : rnd.nextLong()).build();
    }

    private Event event(long rev) {
        Event.Builder e = Event.newBuilder().setType(rnd.nextBoolean() ? Event.EventType.PUT : Event.EventType.DELETE)
            .setKv(kv(rev));
        if (rnd.nextBoolean()) e.setPrevKv(kv(rev - 1));
        return e.build();
    }

    /** What WatchStream's object path sends to a watcher: prev_kv cleared unless it asked for it. */
    private static WatchResponse expected(ResponseHeader h, long id, List<Event> evs, boolean prevKv) {
        WatchResponse.Builder b = WatchResponse.newBuilder().setHeader(h).setWatchId(id);
        for (Event e : evs) b.addEvents(!prevKv && e.hasPrevKv() ? e.toBuilder().clearPrevKv().build() : e);
        return b.build();
    }

    @Test
    void byteIdenticalToProtobuf() throws Exception {
        EncodedResponses enc = new EncodedResponses();
        long[] ids = {0, 1, 127, 128, 300, 1L << 40, Long.MAX_VALUE, -1};
        for (int round = 0; round < 500; round++) {
            long rev = 1 + rnd.nextInt(1_000_000);
            ResponseHeader h = ResponseHeader.newBuilder().setClusterId(rnd.nextLong()).setMemberId(rnd.nextLong())
                .setRevision(rev).setRaftTerm(rnd.nextInt(10)).build();
            List<Event> evs = new ArrayList<>();
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) evs.add(event(rev));
            // the same events to several watchers, as a drain does: the second use comes from the cache
            for (int k = 0; k < 3; k++) {
                long id = ids[rnd.nextInt(ids.length)];
                boolean prevKv = rnd.nextBoolean();
                byte[] got = enc.response(rev, h, id, evs, prevKv);
                WatchResponse want = expected(h, id, evs, prevKv);
                assertArrayEquals(want.toByteArray(), got, "round " + round + " id " + id + " prevKv " + prevKv);
                assertEquals(want, WatchResponse.parseFrom(got));
            }
            if (rnd.nextInt(4) == 0) enc.clear();
        }
    }

    @Test
    void headerFollowsTheRevision() throws Exception {
        EncodedResponses enc = new EncodedResponses();
        for (long rev = 5; rev < 8; rev++) {
            ResponseHeader h = ResponseHeader.newBuilder().setClusterId(7).setMemberId(9).setRevision(rev).setRaftTerm(2).build();
            List<Event> evs = List.of(event(rev));
            assertEquals(expected(h, 3, evs, true), WatchResponse.parseFrom(enc.response(rev, h, 3, evs, true)));
        }
    }
}
