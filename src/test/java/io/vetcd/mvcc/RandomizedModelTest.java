package io.vetcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random operations applied to the store and to {@link ReferenceModel}; every read (all range
 * options, at random revisions, inside and outside txns), every change event and the history are
 * compared. Compaction is interleaved, checking that reads at revisions {@code >= compactRev} do
 * not change.
 */
class RandomizedModelTest {

    @TempDir
    Path dir;

    private static final byte[][] KEYS;

    static {
        String[] base = {"a", "ab", "abc", "b", "ba", "c", "foo", "foo/bar", "foo0", "z"};
        List<byte[]> ks = new ArrayList<>();
        for (String s : base) {
            ks.add(s.getBytes());
        }
        ks.add(new byte[] {0});
        ks.add(new byte[] {0, 0});
        ks.add(new byte[] {'a', 0});
        ks.add(new byte[] {(byte) 0xFF});
        ks.add(new byte[] {(byte) 0xFF, 0});
        KEYS = ks.toArray(new byte[0][]);
    }

    private static byte[] key(Random r) {
        return KEYS[r.nextInt(KEYS.length)];
    }

    private static byte[] end(Random r, byte[] key) {
        return switch (r.nextInt(5)) {
            case 0 -> new byte[0];
            case 1 -> new byte[] {0};
            default -> key(r);
        };
    }

    static RangeRequest randomRequest(Random r, long maxRev, long minRev) {
        byte[] k = r.nextInt(6) == 0 ? new byte[] {0} : key(r);
        RangeRequest.Builder b = RangeRequest.newBuilder().setKey(ByteString.copyFrom(k))
                .setRangeEnd(ByteString.copyFrom(r.nextInt(6) == 0 ? new byte[] {0} : end(r, k)));
        if (r.nextBoolean() && maxRev >= minRev) {
            b.setRevision(minRev + (long) r.nextInt((int) (maxRev - minRev + 1)));
        }
        if (r.nextInt(3) == 0) {
            b.setLimit(1 + r.nextInt(4));
        }
        if (r.nextInt(3) == 0) {
            b.setSortOrder(RangeRequest.SortOrder.forNumber(r.nextInt(3)));
        }
        if (r.nextInt(3) == 0) {
            b.setSortTarget(RangeRequest.SortTarget.forNumber(r.nextInt(5)));
        }
        b.setKeysOnly(r.nextInt(5) == 0);
        b.setCountOnly(r.nextInt(8) == 0);
        if (r.nextInt(6) == 0) {
            b.setMinModRevision(1 + r.nextInt((int) maxRev + 1));
        }
        if (r.nextInt(6) == 0) {
            b.setMaxModRevision(1 + r.nextInt((int) maxRev + 1));
        }
        if (r.nextInt(6) == 0) {
            b.setMinCreateRevision(1 + r.nextInt((int) maxRev + 1));
        }
        if (r.nextInt(6) == 0) {
            b.setMaxCreateRevision(1 + r.nextInt((int) maxRev + 1));
        }
        return b.build();
    }

    private static void assertSameRange(RangeResult expected, RangeResult actual, Object ctx) {
        assertEquals(expected.revision(), actual.revision(), () -> "revision " + ctx);
        assertEquals(expected.readRevision(), actual.readRevision(), () -> "read revision " + ctx);
        assertEquals(expected.count(), actual.count(), () -> "count " + ctx);
        assertEquals(expected.more(), actual.more(), () -> "more " + ctx);
        assertEquals(expected.kvs(), actual.kvs(), () -> "kvs " + ctx);
    }

    private static RangeResult storeRange(MvccStore s, RangeRequest q) {
        try {
            return s.range(q);
        } catch (MvccException e) {
            return new RangeResult(List.of(), -1, false, e instanceof CompactedException ? -1 : -2, 0);
        }
    }

    private static RangeResult modelRange(ReferenceModel m, RangeRequest q) {
        try {
            return m.range(q);
        } catch (MvccException e) {
            return new RangeResult(List.of(), -1, false, e instanceof CompactedException ? -1 : -2, 0);
        }
    }

    @RepeatedTest(6)
    void randomOpsMatchModel() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        ReferenceModel m = new ReferenceModel();
        List<Changes> published = new ArrayList<>();
        try (MvccStore s = StoreTestSupport.open(dir.resolve("s" + seed))) {
            s.addChangeListener(published::add);
            for (int step = 0; step < 300; step++) {
                int ops = r.nextInt(4);
                WriteTxn t = s.beginWrite();
                for (int i = 0; i < ops; i++) {
                    switch (r.nextInt(5)) {
                        case 0, 1, 2 -> {
                            byte[] k = key(r);
                            byte[] v = ("v" + step + "." + i + "." + r.nextInt(100)).getBytes();
                            long lease = r.nextInt(4) == 0 ? r.nextInt(1000) : 0;
                            assertEquals(m.put(k, v, lease), t.put(k, v, lease), "put prev, seed " + seed);
                        }
                        case 3 -> {
                            byte[] k = key(r);
                            byte[] e = r.nextInt(3) == 0 ? null : end(r, k);
                            assertEquals(m.deleteRange(k, e), t.deleteRange(k, e), "delete, seed " + seed);
                        }
                        default -> {
                            RangeRequest q = randomRequest(r, m.readRev(), m.compactRev);
                            assertSameRange(m.range(q), t.range(q), "txn range seed " + seed + " " + q);
                        }
                    }
                }
                boolean abort = r.nextInt(20) == 0;
                if (abort) {
                    t.abort();
                    m.abort();
                } else {
                    long before = published.size();
                    List<Event> expectedEvents = m.commit();
                    assertEquals(m.rev, t.commit(step + 1), "commit revision, seed " + seed);
                    if (!expectedEvents.isEmpty()) {
                        Changes ch = published.get(published.size() - 1);
                        assertEquals(before + 1, published.size());
                        assertEquals(m.rev, ch.revision());
                        assertEquals(expectedEvents, ch.events(), "events, seed " + seed);
                    }
                }
                assertEquals(m.rev, s.currentRevision());
                for (int q = 0; q < 3; q++) {
                    RangeRequest rq = randomRequest(r, m.rev + 1, Math.max(0, m.compactRev - 1));
                    assertSameRange(modelRange(m, rq), storeRange(s, rq), "seed " + seed + " " + rq);
                }
                if (r.nextInt(40) == 0 && m.rev > m.compactRev + 1) {
                    long c = m.compactRev + 1 + r.nextInt((int) (m.rev - m.compactRev));
                    compactAndVerify(s, m, c, r, seed);
                }
            }
            // full history replay check
            for (long rev = Math.max(m.compactRev, 2); rev <= m.rev; rev++) {
                assertEquals(m.eventsAt(rev), s.eventsBetween(rev, rev, 1000), "history at " + rev + " seed " + seed);
            }
            List<Event> all = new ArrayList<>();
            for (long rev = Math.max(m.compactRev, 2); rev <= m.rev; rev++) {
                all.addAll(m.eventsAt(rev));
            }
            List<Event> paged = new ArrayList<>();
            long from = m.compactRev;
            while (true) {
                List<Event> page = s.eventsBetween(from, Long.MAX_VALUE, 5);
                if (page.isEmpty()) {
                    break;
                }
                paged.addAll(page);
                from = page.get(page.size() - 1).getKv().getModRevision() + 1;
            }
            assertEquals(all, paged, "paged events, seed " + seed);
        }
    }

    private void compactAndVerify(MvccStore s, ReferenceModel m, long c, Random r, long seed) {
        List<RangeRequest> qs = new ArrayList<>();
        List<RangeResult> before = new ArrayList<>();
        for (long rev = c; rev <= m.rev; rev++) {
            qs.add(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0}))
                    .setRangeEnd(ByteString.copyFrom(new byte[] {0})).setRevision(rev).build());
        }
        for (int i = 0; i < 20; i++) {
            RangeRequest q = randomRequest(r, m.rev, c);
            if (q.getRevision() == 0) {
                q = q.toBuilder().setRevision(c).build();
            }
            qs.add(q);
        }
        for (RangeRequest q : qs) {
            before.add(s.range(q));
        }
        HashKV hashBefore = null;
        s.compact(c).join();
        m.compactRev = c;
        for (int i = 0; i < qs.size(); i++) {
            assertSameRange(before.get(i), s.range(qs.get(i)), "after compaction at " + c + " seed " + seed);
            assertSameRange(m.range(qs.get(i)), s.range(qs.get(i)), "model after compaction seed " + seed);
        }
        if (c > 1) {
            long below = c - 1;
            assertThrows(CompactedException.class, () -> s.range(RangeRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("a")).setRevision(below).build()));
            assertThrows(CompactedException.class, () -> s.eventsBetween(below, below, 10));
        }
    }

    @Test
    void eventsOfPutAndDeleteCarryPrevKv() {
        try (MvccStore s = StoreTestSupport.open(dir)) {
            StoreTestSupport.put(s, "k", "1"); // 2
            StoreTestSupport.put(s, "k", "2"); // 3
            StoreTestSupport.delete(s, "k", null); // 4
            StoreTestSupport.put(s, "k", "3"); // 5
            List<Event> evs = s.eventsBetween(2, 5, 100);
            assertEquals(4, evs.size());
            assertEquals(false, evs.get(0).hasPrevKv());
            assertEquals("1", evs.get(1).getPrevKv().getValue().toStringUtf8());
            assertEquals(Event.EventType.DELETE, evs.get(2).getType());
            assertEquals(4, evs.get(2).getKv().getModRevision());
            assertEquals("2", evs.get(2).getPrevKv().getValue().toStringUtf8());
            assertEquals(false, evs.get(3).hasPrevKv());
            KeyValue kv = evs.get(3).getKv();
            assertEquals(5, kv.getCreateRevision());
            assertEquals(1, kv.getVersion());
        }
    }
}
