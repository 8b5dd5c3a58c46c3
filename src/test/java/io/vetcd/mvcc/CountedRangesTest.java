package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static io.vetcd.mvcc.StoreTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counts of repeated count-only ranges kept in memory ({@link CountedRanges}) must equal the walk
 * of the whole range at every revision: through puts (with and without prev_kv), deletes, txns with
 * several operations on one key, grouped writes, compactions, a snapshot install and a reopen; while
 * a writer runs beside readers (each answer checked against the range at the revision it names); and
 * with more ranges than are kept. A count that is kept must really come from memory
 * ({@link MvccStore#countFromMemory}), or none of this tests anything.
 */
class CountedRangesTest {

    @TempDir
    Path dir;

    /** Ranges asked for again and again (kept), as [start, end). */
    private static final String[][] RANGES = {{"\0", "\0"}, {"k", "l"}, {"k1", "k2"}, {"k3", "\0"}, {"k\0", "k\1"},
        {"k2", "k4"}, {"", "\0"}, {"z", "a"}, {"k", "k"}, {"k5", "k50"}};

    @Test
    void keptCountsEqualTheWalkThroughHistory() throws Exception {
        Random rnd = new Random(1819);
        MvccStore s = StoreTestSupport.open(dir.resolve("a"));
        try {
            for (int step = 0; step < 1500; step++) {
                writeSomething(s, rnd);
                if (step % 300 == 299) s.compact(s.currentRevision() - 20).get();
                check(s, rnd);
            }
            assertNotNull(s.countFromMemory(countOnly("k", "l")), "a repeated count is answered from memory");
            Path cp = s.checkpoint(dir.resolve("cp"));
            for (int i = 0; i < 30; i++) writeSomething(s, rnd);
            check(s, rnd);
            s.loadFrom(cp);
            assertNull(s.countFromMemory(countOnly("k", "l")), "counts are forgotten when a snapshot is installed");
            check(s, rnd);
            for (int i = 0; i < 100; i++) {
                writeSomething(s, rnd);
                check(s, rnd);
            }
        } finally {
            s.close();
        }
        s = StoreTestSupport.open(dir.resolve("a"));
        try {
            assertNull(s.countFromMemory(countOnly("k", "l")));
            for (int i = 0; i < 100; i++) {
                writeSomething(s, rnd);
                check(s, rnd);
            }
        } finally {
            s.close();
        }
    }

    @Test
    void moreRangesThanKeptStayExactAndBounded() {
        Random rnd = new Random(7);
        try (MvccStore s = StoreTestSupport.open(dir.resolve("b"))) {
            for (int step = 0; step < 400; step++) {
                writeSomething(s, rnd);
                for (int i = 0; i < 5; i++) {
                    String from = "k" + rnd.nextInt(100);
                    String to = "k" + rnd.nextInt(100);
                    assertEquals(fullCount(s, from, to, 0), s.range(countOnly(from, to)).count(), from + ".." + to);
                    try (RangeView v = s.openRangeView(RangeRequest.newBuilder().setKey(bs(to)).setRangeEnd(bs(from)).setLimit(1).build())) {
                        assertEquals(fullCount(s, to, from, 0), RangeSizer.plan(v).count(), to + ".." + from + " page");
                    }
                }
                assertTrue(s.counts.size() <= CountedRanges.DEFAULT_CAPACITY, "kept " + s.counts.size());
            }
            assertEquals(CountedRanges.DEFAULT_CAPACITY, s.counts.size());
            // single keys and huge bounds are never kept
            s.range(countOnly("k1", null));
            String big = "k" + "x".repeat(CountedRanges.MAX_BOUND_BYTES);
            s.range(countOnly(big, big + "z"));
            s.range(countOnly(big, big + "z"));
            assertNull(s.countFromMemory(countOnly(big, big + "z")));
        }
    }

    @Test
    void countsReadBesideTheWriterBelongToTheRevisionTheyName() throws Exception {
        try (MvccStore s = StoreTestSupport.open(dir.resolve("c"))) {
            record Seen(int range, long revision, long count) { }
            ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> failed = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int seed = t;
                Thread th = new Thread(() -> {
                    Random rnd = new Random(seed);
                    try {
                        while (!stop.get()) {
                            int i = rnd.nextInt(RANGES.length);
                            RangeRequest rq = countOnly(RANGES[i][0], RANGES[i][1]);
                            RangeResult r = rnd.nextBoolean() ? s.range(rq) : s.countFromMemory(rq);
                            if (r != null) seen.add(new Seen(i, r.revision(), r.count()));
                            if (rnd.nextInt(50) == 0) s.counts.forget(); // forget now and then: ranges join again under writes
                        }
                    } catch (Throwable e) {
                        failed.add(e);
                    }
                });
                th.start();
                readers.add(th);
            }
            Random rnd = new Random(99);
            long until = System.nanoTime() + 4_000_000_000L;
            int writes = 0;
            while (System.nanoTime() < until && writes < 20_000) {
                writeSomething(s, rnd);
                writes++;
            }
            stop.set(true);
            for (Thread th : readers) th.join();
            assertTrue(failed.isEmpty(), () -> "reader failed: " + failed.peek());
            assertTrue(seen.size() > 100, "answers seen: " + seen.size());
            int checked = 0;
            for (Seen x : seen) {
                if (checked++ > 3000) break;
                assertEquals(fullCount(s, RANGES[x.range()][0], RANGES[x.range()][1], x.revision()), x.count(),
                        java.util.Arrays.toString(RANGES[x.range()]) + " at " + x.revision());
            }
        }
    }

    @Test
    void aRangeJoiningWhileTheWriterMovesItCountsTheMovesAfterItsWalk() {
        CountedRanges c = new CountedRanges(2, 10);
        CountedRanges.Range r = c.register(b("a"), b("b"));
        assertNotNull(r);
        assertNull(c.register(b("a"), b("b")), "one walk at a time");
        c.apply(11, changes(11, put("a1", 1)));     // seen by the walk below (snapshot at 11)
        c.apply(12, changes(12, put("a2", 1), put("b", 1), put("a1", 2)));
        c.apply(13, changes(13, delete("a1")));
        assertEquals(-1, c.count(b("a"), b("b"), 13), "not known before its walk settles");
        c.settle(r, 5, 11);                           // the walk saw a1 among its 5 keys
        assertEquals(5 + 1 - 1, c.count(b("a"), b("b"), 13));
        assertEquals(-1, c.count(b("a"), b("b"), 12), "not for a revision before it joined");
        c.apply(14, changes(14, put("a3", 1)));
        assertEquals(-1, c.count(b("a"), b("b"), 13), "moved at 14: not valid for 13");
        assertEquals(6, c.count(b("a"), b("b"), 14));
        c.apply(15, changes(15, put("c", 1)));
        assertEquals(6, c.count(b("a"), b("b"), 15));

        CountedRanges.Range ahead = c.register(b("c"), b("d"));
        c.settle(ahead, 1, 16); // the walk saw a write the writer has not applied: not used
        assertEquals(-1, c.count(b("c"), b("d"), 15));
        assertEquals(1, c.size());

        CountedRanges.Range x = c.register(b("x"), b("y"));
        c.settle(x, 0, 15);
        c.count(b("x"), b("y"), 15);
        c.count(b("a"), b("b"), 15);
        c.register(b("m"), b("n")); // full: the range asked for least recently leaves
        assertEquals(-1, c.count(b("x"), b("y"), 15));
        assertEquals(6, c.count(b("a"), b("b"), 15));
    }

    // ---------------------------------------------------------------- helpers

    private static Changes changes(long rev, Event... events) {
        return new Changes(rev, List.of(events));
    }

    private static Event put(String k, long version) {
        return Event.newBuilder().setType(Event.EventType.PUT).setKv(KeyValue.newBuilder().setKey(bs(k)).setVersion(version)).build();
    }

    private static Event delete(String k) {
        return Event.newBuilder().setType(Event.EventType.DELETE).setKv(KeyValue.newBuilder().setKey(bs(k))).build();
    }

    /** One write of a random shape: a put (with or without prev_kv), deletes, a txn of several ops, or a group of txns. */
    private static void writeSomething(MvccStore s, Random rnd) {
        if (rnd.nextInt(RandomWriteMix.SHAPES + 1) == 0) {
            long ci = s.consistentIndex();
            for (int i = rnd.nextInt(4); i >= 0; i--) {
                WriteTxn t = s.beginGroupedWrite();
                String g = "k" + rnd.nextInt(60);
                if (rnd.nextBoolean()) t.putWithoutPrevKv(bs(g), bs("g"), 0); else t.deleteRange(b(g), null);
                t.commit(++ci);
            }
            s.writePending();
            return;
        }
        WriteTxn t = s.beginWrite();
        RandomWriteMix.write(t, rnd);
        t.commit(s.consistentIndex() + 1);
    }

    private static void check(MvccStore s, Random rnd) {
        for (String[] r : RANGES) {
            long cur = s.currentRevision();
            RangeResult counted = s.range(countOnly(r[0], r[1]));
            assertEquals(cur, counted.revision());
            assertEquals(fullCount(s, r[0], r[1], cur), counted.count(), java.util.Arrays.toString(r) + " at " + cur);
            RangeResult mem = s.countFromMemory(countOnly(r[0], r[1]));
            if (mem != null) assertEquals(counted.count(), mem.count(), java.util.Arrays.toString(r) + " from memory");
            // a list's page takes its count from the same place
            RangeRequest.Builder page = RangeRequest.newBuilder().setKey(bs(r[0])).setLimit(2);
            if (r[1] != null) page.setRangeEnd(bs(r[1]));
            try (RangeView v = s.openRangeView(page.build())) {
                assertEquals(counted.count(), RangeSizer.plan(v).count(), java.util.Arrays.toString(r) + " page");
            }
        }
        String from = "k" + rnd.nextInt(70);
        String to = "k" + rnd.nextInt(70);
        assertEquals(fullCount(s, from, to, 0), s.range(countOnly(from, to)).count(), from + ".." + to);
    }

    /** The count of a full range (values read, no index) at {@code rev} (0: current). */
    private static long fullCount(MvccStore s, String from, String to, long rev) {
        RangeRequest.Builder full = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(from)).setRevision(rev);
        if (to != null) full.setRangeEnd(ByteString.copyFromUtf8(to));
        RangeResult all = s.range(full.build());
        assertEquals(all.kvs().size(), all.count());
        return all.count();
    }

    private static RangeRequest countOnly(String k, String end) {
        RangeRequest.Builder r = RangeRequest.newBuilder().setKey(bs(k)).setCountOnly(true);
        return (end == null ? r : r.setRangeEnd(bs(end))).build();
    }
}
