package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static io.vetcd.mvcc.StoreTestSupport.get;
import static io.vetcd.mvcc.StoreTestSupport.put;
import static io.vetcd.mvcc.StoreTestSupport.req;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

class MaintenanceTest {

    @TempDir
    Path dir;

    /** Applies the same pseudo-random ops to a store (seeded, so two stores get identical input). */
    static void feed(MvccStore s, long seed, int n) {
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            WriteTxn t = s.beginWrite();
            int ops = 1 + r.nextInt(3);
            for (int j = 0; j < ops; j++) {
                String k = "key" + r.nextInt(50);
                if (r.nextInt(5) == 0) {
                    t.deleteRange(b(k), r.nextBoolean() ? null : b(k + "9"));
                } else {
                    t.put(b(k), b("value-" + i + "-" + j), r.nextInt(3));
                }
            }
            t.putMeta(b("meta" + r.nextInt(5)), b("m" + i));
            t.commit(i + 1);
        }
    }

    static long kvEntries(MvccStore s) {
        long n = 0;
        try (RocksIterator it = s.db.newIterator(s.kvCf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void hashKvEqualForSameOpsAndIndependentOfPhysicalCompaction() {
        try (MvccStore a = StoreTestSupport.open(dir.resolve("a"));
             MvccStore c = StoreTestSupport.open(dir.resolve("c"))) {
            feed(a, 7, 400);
            feed(c, 7, 400);
            long cur = a.currentRevision();
            assertEquals(a.hashKV(0), c.hashKV(0));
            assertEquals(a.hashKV(cur / 2), c.hashKV(cur / 2));
            assertNotEquals(a.hashKV(cur).hash(), a.hashKV(cur - 1).hash());

            long before = kvEntries(a);
            a.compact(cur / 2).join();
            long after = kvEntries(a);
            assertTrue(after < before, "compaction deleted superseded versions: " + before + " -> " + after);
            // c records the same compaction; whatever its physical progress, hashes agree.
            c.compact(cur / 2);
            assertEquals(a.hashKV(cur), c.hashKV(cur));
            c.compactionWait().join();
            assertEquals(a.hashKV(cur), c.hashKV(cur));
            assertEquals(a.hashKV(cur / 2), c.hashKV(cur / 2));
            assertThrows(CompactedException.class, () -> a.hashKV(cur / 2 - 1));
            assertThrows(FutureRevisionException.class, () -> a.hashKV(cur + 1));

            put(a, "diverge", "x");
            put(c, "diverge", "y");
            assertNotEquals(a.hashKV(0).hash(), c.hashKV(0).hash());
        }
    }

    @Test
    void compactionRemovesTombstonesAndKeepsLatest() {
        try (MvccStore s = StoreTestSupport.open(dir)) {
            for (int i = 0; i < 20; i++) {
                put(s, "k", "v" + i);
            }
            put(s, "gone", "x");
            StoreTestSupport.delete(s, "gone", null);
            long cur = s.currentRevision();
            s.compact(cur).join();
            assertEquals(1, kvEntries(s));
            assertEquals("v19", get(s, "k", 0).getValue().toStringUtf8());
            assertEquals(20, get(s, "k", 0).getVersion());
            assertNull(get(s, "gone", 0));
            s.defragment();
            assertTrue(s.dbSize() > 0);
            assertTrue(s.dbSizeInUse() > 0);
        }
    }

    @Test
    void interruptedCompactionResumesOnOpen() {
        MvccOptions slow = MvccOptions.defaults().withCompactionBatchKeys(1).withCompactionPauseMillis(50);
        long cur;
        try (MvccStore s = MvccStore.open(dir, slow)) {
            feed(s, 3, 200);
            cur = s.currentRevision();
            s.compact(cur - 5); // closed right away: job stops between batches
        }
        try (MvccStore s = StoreTestSupport.open(dir)) {
            assertEquals(cur - 5, s.compactRevision());
            s.compactionWait().join();
            assertEquals(cur - 5, s.finishedCompactRev);
            try (MvccStore ref = StoreTestSupport.open(dir.resolve("ref"))) {
                feed(ref, 3, 200);
                ref.compact(cur - 5).join();
                assertEquals(ref.hashKV(0), s.hashKV(0));
                assertEquals(kvEntries(ref), kvEntries(s));
                assertEquals(ref.range(req("\0", "\0").build()), s.range(req("\0", "\0").build()));
            }
        }
    }

    @Test
    void checkpointRestoreRoundTrip() throws IOException {
        Path data = dir.resolve("data");
        Path cp = dir.resolve("cp");
        HashKV hash;
        try (MvccStore s = StoreTestSupport.open(data)) {
            feed(s, 11, 150);
            s.compact(50).join();
            s.checkpoint(cp);
            hash = s.hashKV(0);
            put(s, "after-checkpoint", "x"); // not in the checkpoint
        }
        try (MvccStore r = MvccStore.restoreFrom(cp, dir.resolve("restored"), MvccOptions.defaults())) {
            assertEquals(hash, r.hashKV(0));
            assertEquals(150, r.consistentIndex());
            assertEquals(50, r.compactRevision());
            assertNull(get(r, "after-checkpoint", 0));
        }
    }
}
