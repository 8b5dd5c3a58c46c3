package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetcd.pb.mvcc.KeyValue;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Puts that take their key's create revision, version and lease from memory ({@link KeyHeads})
 * store exactly what puts that seek store, whether the head is known, evicted or never seen, across
 * deletes, grouped and ungrouped txns, and a restart; and the heads stay within their budget.
 */
class KeyHeadsTest {

    @TempDir
    Path dir;

    @Test
    void theBudgetBoundsTheHeadsKept() {
        KeyHeads h = new KeyHeads(100 * 1024);
        for (int i = 0; i < 100_000; i++) h.put(b("key-" + i), new KeyHeads.Head(i, 1, 0));
        // two generations of at most 50 KiB each, ~112 bytes + key per head
        assertTrue(h.size() <= 2 * (50 * 1024 / 112) + 2, "heads kept: " + h.size());
        assertTrue(h.size() >= 50 * 1024 / (112 + 9), "heads kept: " + h.size());
        assertEquals(new KeyHeads.Head(99_999, 1, 0), h.get(b("key-99999")));
        assertEquals(null, h.get(b("key-0")));
    }

    @Test
    void putsFromMemoryStoreWhatPutsThatSeekStore() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        String previous = System.getProperty("vetcd.mvcc.key-heads-bytes");
        System.setProperty("vetcd.mvcc.key-heads-bytes", "6k"); // ~40 heads for 200 keys: many misses
        try (MvccStore seeking = StoreTestSupport.open(dir.resolve("seek"));
             MvccStore fromMemory = StoreTestSupport.open(dir.resolve("mem"))) {
            MvccStore mem = fromMemory;
            for (int step = 1; step <= 1500; step++) {
                boolean grouped = r.nextBoolean();
                WriteTxn a = seeking.beginWrite();
                WriteTxn m = grouped ? mem.beginGroupedWrite() : mem.beginWrite();
                int ops = 1 + r.nextInt(3);
                for (int i = 0; i < ops; i++) {
                    String k = "k" + r.nextInt(200);
                    if (r.nextInt(6) == 0) {
                        assertEquals(a.deleteRange(b(k), null).size(), m.deleteRange(b(k), null).size());
                    } else {
                        ByteString v = ByteString.copyFromUtf8("v" + step);
                        long lease = r.nextInt(3) == 0 ? r.nextInt(5) : 0;
                        KeyValue prev = a.put(ByteString.copyFromUtf8(k), v, lease);
                        assertEquals(prev == null ? 0 : prev.getLease(), m.putWithoutPrevKv(ByteString.copyFromUtf8(k), v, lease),
                            "replaced lease, seed " + seed);
                    }
                }
                a.commit(step);
                m.commit(step);
                if (r.nextInt(4) == 0) mem.writePending();
                if (step % 500 == 0) { // a restart: the heads start empty
                    mem.writePending();
                    mem.close();
                    mem = StoreTestSupport.open(dir.resolve("mem"));
                }
            }
            mem.writePending();
            assertEquals(seeking.hashKV(0), mem.hashKV(0), "seed " + seed);
            assertEquals(seeking.liveKeys(), mem.liveKeys(), "seed " + seed);
            assertEquals(seeking.currentRevision(), mem.currentRevision());
            if (mem != fromMemory) mem.close();
        } finally {
            if (previous == null) System.clearProperty("vetcd.mvcc.key-heads-bytes");
            else System.setProperty("vetcd.mvcc.key-heads-bytes", previous);
        }
    }
}
