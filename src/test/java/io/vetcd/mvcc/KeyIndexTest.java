package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static io.vetcd.mvcc.StoreTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeRequest.SortOrder;
import io.vetcd.pb.etcdserver.RangeRequest.SortTarget;
import io.vetcd.pb.mvcc.KeyValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Count-only and keys-only ranges are answered from the key index ({@link KeyIndex}); they must
 * equal what the full range (answered from the kv column family) says, at every revision, across
 * puts, deletes, leases, compactions, a reopen, a rebuild of the index and a snapshot install.
 */
class KeyIndexTest {

    @TempDir
    Path dir;

    @Test
    void countAndKeysOnlyMatchTheFullRangeThroughHistoryAndCompaction() throws Exception {
        Random rnd = new Random(18);
        MvccStore s = StoreTestSupport.open(dir.resolve("a"));
        try {
            List<Long> revs = new ArrayList<>();
            for (int step = 0; step < 600; step++) {
                WriteTxn t = s.beginWrite();
                int op = rnd.nextInt(10);
                String k = "k" + rnd.nextInt(40);
                if (op < 7) {
                    t.put(b(k), b("v".repeat(1 + rnd.nextInt(300))), rnd.nextInt(3));
                } else if (op < 9) {
                    t.deleteRange(b(k), null);
                } else {
                    t.deleteRange(b("k1"), b("k2"));
                }
                revs.add(t.commit(s.consistentIndex() + 1));
                if (step % 150 == 149) {
                    long c = revs.get(revs.size() - 40);
                    s.compact(c).get();
                    s.compactionWait().get();
                }
                if (step % 25 == 0) {
                    checkAll(s, rnd);
                }
            }
            checkAll(s, rnd);
        } finally {
            s.close();
        }
        // reopened: the same answers
        s = StoreTestSupport.open(dir.resolve("a"));
        try {
            checkAll(s, rnd);
        } finally {
            s.close();
        }
    }

    @Test
    void aStoreWithoutTheIndexIsIndexedWhenOpened() throws Exception {
        MvccStore s = StoreTestSupport.open(dir.resolve("b"));
        try {
            for (int i = 0; i < 50; i++) {
                StoreTestSupport.put(s, "x" + (i % 17), "value" + i);
            }
            StoreTestSupport.delete(s, "x3", null);
            // as a store written before the index existed: empty index, no marker
            StoreTestSupport.forgetIndex(s, s.keysCf, MvccStore.K_KEYS_INDEXED);
        } finally {
            s.close();
        }
        s = StoreTestSupport.open(dir.resolve("b"));
        try {
            assertEquals(16, s.range(countOnly("x", "y").build()).count());
            checkAll(s, new Random(1));
            // and an installed snapshot (whatever it holds) leaves a correct index behind
            Path cp = s.checkpoint(dir.resolve("cp"));
            StoreTestSupport.put(s, "x99", "later");
            s.loadFrom(cp);
            assertEquals(16, s.range(countOnly("x", "y").build()).count());
            checkAll(s, new Random(2));
        } finally {
            s.close();
        }
    }

    @Test
    void indexEntryIsTheStoredHeader() {
        byte[] stored = StoredValue.encodePut(300, 2, 1L << 40, ByteString.copyFromUtf8("value"));
        byte[] header = StoredValue.encodeHeader(300, 2, 1L << 40);
        assertEquals(ByteString.copyFrom(header), ByteString.copyFrom(KeyIndex.entry(stored)));
        assertEquals(0, KeyIndex.entry(StoredValue.TOMBSTONE_BYTES).length);
        assertTrue(KeyIndex.serves(countOnly("a", "b").build()));
        assertTrue(KeyIndex.serves(countOnly("a", "b").setCountOnly(false).setKeysOnly(true).build()));
        assertTrue(!KeyIndex.serves(countOnly("a", "b").setCountOnly(false).setKeysOnly(true)
                .setSortTarget(SortTarget.VALUE).build()));
    }

    private static RangeRequest.Builder countOnly(String k, String end) {
        return RangeRequest.newBuilder().setKey(bs(k)).setRangeEnd(bs(end)).setCountOnly(true);
    }

    /** At every readable revision and over a few ranges, the index agrees with the kv family. */
    private static void checkAll(MvccStore s, Random rnd) {
        // entry for entry the same keys as the kv family (compaction deletes from both), header values
        try (var kv = s.db.newIterator(s.kvCf); var keys = s.db.newIterator(s.keysCf)) {
            kv.seekToFirst();
            keys.seekToFirst();
            for (; kv.isValid(); kv.next(), keys.next()) {
                assertTrue(keys.isValid());
                assertEquals(ByteString.copyFrom(kv.key()), ByteString.copyFrom(keys.key()));
                assertEquals(ByteString.copyFrom(KeyIndex.entry(kv.value())), ByteString.copyFrom(keys.value()));
            }
            assertTrue(!keys.isValid());
        }
        long cur = s.currentRevision();
        long from = Math.max(1, s.compactRevision());
        List<String[]> ranges = List.of(new String[] {"k", "l"}, new String[] {"k1", "k2"}, new String[] {"k3", ""},
                new String[] {"x", "y"}, new String[] {"\0", "\0"});
        for (long rev = from; rev <= cur; rev += 1 + rnd.nextInt(5)) {
            for (String[] r : ranges) {
                RangeRequest.Builder full = RangeRequest.newBuilder().setKey(bs(r[0])).setRevision(rev);
                if (!r[1].isEmpty()) {
                    full.setRangeEnd(bs(r[1]));
                }
                check(s, full);
                check(s, full.clone().setLimit(3));
                check(s, full.clone().setMinCreateRevision(rev / 2).setSortTarget(SortTarget.MOD)
                        .setSortOrder(SortOrder.DESCEND));
            }
        }
    }

    private static void check(MvccStore s, RangeRequest.Builder full) {
        RangeResult all = s.range(full.build());
        RangeResult count = s.range(full.clone().setCountOnly(true).build());
        assertEquals(all.count(), count.count());
        assertTrue(count.kvs().isEmpty());
        assertEquals(all.revision(), count.revision());
        RangeResult keys = s.range(full.clone().setKeysOnly(true).build());
        assertEquals(all.count(), keys.count());
        assertEquals(all.more(), keys.more());
        List<KeyValue> expected = all.kvs().stream().map(kv -> kv.toBuilder().clearValue().build()).toList();
        assertEquals(expected, keys.kvs());
        // the streamed shape (RangeSizer + RangeEncoder) sees the same count from the index
        if (full.getSortOrder() == SortOrder.NONE) {
            try (RangeView v = s.openRangeView(full.clone().setCountOnly(true).build())) {
                RangePlan p = RangeSizer.plan(v);
                assertEquals(all.count(), p.count());
                assertEquals(0, p.kvs());
            }
            try (RangeView v = s.openRangeView(full.clone().setKeysOnly(true).build())) {
                RangePlan p = RangeSizer.plan(v);
                assertEquals(all.count(), p.count());
                assertEquals(keys.kvs().size(), p.kvs());
            }
        }
    }
}
