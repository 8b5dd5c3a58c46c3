package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static io.vetcd.mvcc.StoreTestSupport.req;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers run lock-free against one writer and background compaction. Every revision rewrites the
 * same 10 keys with the revision number as value, so any consistent read at revision R must see
 * exactly 10 keys all holding R; a torn read (half of a batch, or a compaction artifact) fails.
 */
class ConcurrentReadWriteTest {

    @TempDir
    Path dir;

    private static final int KEYS = 10;

    @Test
    void readersSeeConsistentRevisionsDuringWritesAndCompaction() throws Exception {
        MvccOptions opts = MvccOptions.defaults().withCompactionBatchKeys(3).withCompactionPauseMillis(0);
        try (MvccStore s = MvccStore.open(dir, opts)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong lastSeen = new AtomicLong(1);
            s.addChangeListener(ch -> {
                if (ch.revision() != lastSeen.get() + 1 || ch.events().size() != KEYS) {
                    failure.compareAndSet(null, new AssertionError("listener saw " + ch.revision()));
                }
                lastSeen.set(ch.revision());
            });
            Runnable reader = () -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!stop.get() && failure.get() == null) {
                    try {
                        long cur = s.currentRevision();
                        if (cur < 2) {
                            continue;
                        }
                        long at = r.nextBoolean() ? 0 : Math.max(2, s.compactRevision()) + r.nextLong(Math.max(1, cur - s.compactRevision()));
                        RangeResult res = s.range(req("c", "d").setRevision(Math.min(at, cur)).build());
                        assertEquals(KEYS, res.count());
                        for (KeyValue kv : res.kvs()) {
                            assertEquals(res.readRevision(), kv.getModRevision());
                            assertEquals(Long.toString(res.readRevision()), kv.getValue().toStringUtf8());
                            assertEquals(res.readRevision() - 1, kv.getVersion());
                        }
                        if (r.nextInt(10) == 0) {
                            long from = Math.max(s.compactRevision() + 1, cur - 3);
                            List<Event> evs = s.eventsBetween(from, cur, 1000);
                            for (Event e : evs) {
                                long rev = e.getKv().getModRevision();
                                assertEquals(Long.toString(rev), e.getKv().getValue().toStringUtf8());
                                if (rev > 2) {
                                    assertEquals(Long.toString(rev - 1), e.getPrevKv().getValue().toStringUtf8(),
                                            "prev of " + rev);
                                }
                            }
                        }
                    } catch (CompactedException expectedRace) {
                        // compaction overtook the chosen revision; fine
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }
            };
            Thread[] readers = new Thread[2];
            for (int i = 0; i < readers.length; i++) {
                readers[i] = new Thread(reader, "reader-" + i);
                readers[i].start();
            }
            for (int i = 0; i < 500 && failure.get() == null; i++) {
                WriteTxn t = s.beginWrite();
                long rev = t.writeRevision();
                for (int k = 0; k < KEYS; k++) {
                    t.put(b("c" + k), b(Long.toString(rev)), 0);
                }
                t.commit(i + 1);
                if (i % 100 == 99) {
                    s.compact(rev - 20);
                }
            }
            s.compactionWait().join();
            stop.set(true);
            for (Thread t : readers) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(501, s.currentRevision());
            assertTrue(MaintenanceTest.kvEntries(s) <= KEYS * 30L);
        }
    }

    @Test
    void closeWaitsForReadersAndLaterReadsFailCleanly() throws Exception {
        MvccStore s = MvccStore.open(dir, MvccOptions.defaults());
        for (int i = 0; i < 200; i++) {
            StoreTestSupport.put(s, "k" + i, "v" + i);
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong closedErrors = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        Thread[] readers = new Thread[2];
        for (int t = 0; t < readers.length; t++) {
            readers[t] = new Thread(() -> {
                while (true) {
                    try {
                        assertEquals(200, s.range(req("k", "l").build()).count());
                        reads.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        closedErrors.incrementAndGet();
                        return;
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        return;
                    }
                }
            });
            readers[t].start();
        }
        // close while both readers are reading: wait until they have read a few times, not a fixed 100 ms
        io.vetcd.testing.Eventually.until("the readers are reading", java.time.Duration.ofSeconds(30), () -> reads.get() >= 2L * readers.length);
        s.close();
        for (Thread t : readers) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(readers.length, closedErrors.get());
    }
}
