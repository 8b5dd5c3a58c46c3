package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static io.vetcd.mvcc.StoreTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.mvcc.KeyValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live-key index ({@link LiveKeys}) answers count-only ranges at the current revision and the
 * count of streamed answers there: it must hold exactly the keys a full range at the current
 * revision returns (with their mod revisions), through puts, deletes, several operations on one key
 * in one txn, compactions, a reopen, a store opened without it, a snapshot install and an import;
 * and counts at the current revision and at historic ones (which walk the key index) must equal the
 * full ranges' counts, for every kind of range end ("\0", a prefix end, a single key, empty ranges).
 */
class LiveKeysTest {

    @TempDir
    Path dir;

    @Test
    void indexHoldsExactlyTheLiveKeysThroughHistory() throws Exception {
        Random rnd = new Random(1818);
        MvccStore s = StoreTestSupport.open(dir.resolve("a"));
        List<Long> revs = new ArrayList<>();
        try {
            for (int step = 0; step < 800; step++) {
                WriteTxn t = s.beginWrite();
                RandomWriteMix.write(t, rnd);
                revs.add(t.commit(s.consistentIndex() + 1));
                if (step % 200 == 199) {
                    s.compact(revs.get(revs.size() - 50)).get();
                }
                if (step % 40 == 0) {
                    check(s, revs, rnd);
                }
            }
            check(s, revs, rnd);
        } finally {
            s.close();
        }
        s = StoreTestSupport.open(dir.resolve("a"));
        try {
            check(s, revs, rnd);
            // as a store written before the index existed: no entries, no marker
            StoreTestSupport.forgetIndex(s, s.liveCf, MvccStore.K_LIVE_INDEXED);
        } finally {
            s.close();
        }
        s = StoreTestSupport.open(dir.resolve("a"));
        try {
            check(s, revs, rnd);
            Path cp = s.checkpoint(dir.resolve("cp"));
            StoreTestSupport.put(s, "k-later", "x");
            StoreTestSupport.delete(s, "k1", null);
            s.loadFrom(cp);
            check(s, revs, rnd);
        } finally {
            s.close();
        }
    }

    @Test
    void anImportedHistoryIsIndexed() throws Exception {
        try (MvccStore s = StoreTestSupport.open(dir.resolve("b"))) {
            try (HistoryImport imp = new HistoryImport(s)) {
                imp.put(KeyValue.newBuilder().setKey(bs("a")).setValue(bs("1")).setCreateRevision(2).setModRevision(2).setVersion(1).build(), 0);
                imp.put(KeyValue.newBuilder().setKey(bs("b")).setValue(bs("1")).setCreateRevision(3).setModRevision(3).setVersion(1).build(), 0);
                imp.tombstone(b("a"), 4, 0);
                imp.put(KeyValue.newBuilder().setKey(bs("c")).setValue(bs("1")).setCreateRevision(5).setModRevision(5).setVersion(1).build(), 0);
                imp.finish(5, 0, 0, 9);
            }
            assertEquals(new TreeMap<>(java.util.Map.of("b", 3L, "c", 5L)), indexed(s));
        }
        try (MvccStore s = StoreTestSupport.open(dir.resolve("b"))) { // importers reopen the store they wrote
            assertEquals(2, s.range(countOnly("\0", "\0").build()).count());
            assertEquals(2, s.range(countOnly("\0", "\0").setRevision(3).build()).count());
        }
    }

    @Test
    void aCountAtARevisionTheIndexIsNotAtWalksTheKeyIndex() throws Exception {
        try (MvccStore s = StoreTestSupport.open(dir.resolve("c"))) {
            StoreTestSupport.put(s, "a", "1");
            long two = StoreTestSupport.put(s, "b", "1");
            StoreTestSupport.delete(s, "a", null);
            try (MvccStore.PinnedRead pin = s.pin()) {
                assertEquals(s.currentRevision(), pin.revision);
                assertEquals(1, LiveKeys.count(s, pin.options, b("\0"), new byte[0]));
                assertEquals(0, LiveKeys.count(s, pin.options, b("a"), null));
                assertEquals(1, LiveKeys.count(s, pin.options, b("b"), null));
                assertEquals(0, LiveKeys.count(s, pin.options, b("b"), b("a")));
            }
            assertEquals(2, s.range(countOnly("\0", "\0").setRevision(two).build()).count());
            assertThrows(FutureRevisionException.class,
                    () -> s.range(countOnly("\0", "\0").setRevision(s.currentRevision() + 1).build()));
            s.compact(s.currentRevision()).get();
            assertThrows(CompactedException.class, () -> s.range(countOnly("\0", "\0").setRevision(two).build()));
            assertEquals(1, s.range(countOnly("\0", "\0").build()).count());
        }
    }

    private static RangeRequest.Builder countOnly(String k, String end) {
        RangeRequest.Builder r = RangeRequest.newBuilder().setKey(bs(k)).setCountOnly(true);
        return end == null ? r : r.setRangeEnd(bs(end));
    }

    /** The index's contents as user key -> mod revision. */
    private static TreeMap<String, Long> indexed(MvccStore s) {
        TreeMap<String, Long> out = new TreeMap<>();
        try (var it = s.db.newIterator(s.liveCf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                out.put(new String(KeyEncoding.userKey(k, k.length), java.nio.charset.StandardCharsets.ISO_8859_1),
                        KeyEncoding.getLong(it.value(), 0));
            }
        }
        return out;
    }

    private static void check(MvccStore s, List<Long> revs, Random rnd) {
        TreeMap<String, Long> live = new TreeMap<>();
        for (KeyValue kv : s.range(RangeRequest.newBuilder().setKey(bs("\0")).setRangeEnd(bs("\0")).build()).kvs()) {
            live.put(new String(kv.getKey().toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1), kv.getModRevision());
        }
        assertEquals(live, indexed(s));
        String[][] ranges = {{"\0", "\0"}, {"k", "l"}, {"k1", "k2"}, {"k3", "\0"}, {"k\0", "k\1"}, {"k5", null},
            {"k2x", null}, {"z", "a"}, {"k", "k"}, {"", "\0"}};
        List<Long> at = new ArrayList<>(List.of(0L, s.currentRevision()));
        for (int i = 0; i < 4 && !revs.isEmpty(); i++) {
            long r = revs.get(rnd.nextInt(revs.size()));
            if (r >= s.compactRevision()) at.add(r);
        }
        for (String[] r : ranges) {
            for (long rev : at) {
                RangeRequest.Builder full = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(r[0])).setRevision(rev);
                if (r[1] != null) full.setRangeEnd(ByteString.copyFromUtf8(r[1]));
                RangeResult all = s.range(full.build());
                String ctx = "range " + java.util.Arrays.toString(r) + " at " + rev;
                assertEquals(all.count(), s.range(full.clone().setCountOnly(true).build()).count(), ctx);
                for (long limit : new long[] {0, 1, 3}) {
                    try (RangeView v = s.openRangeView(full.clone().setLimit(limit).build())) {
                        RangePlan p = RangeSizer.plan(v);
                        assertEquals(all.count(), p.count(), ctx + " limit " + limit);
                        long kvs = limit == 0 ? all.kvs().size() : Math.min(limit, all.kvs().size());
                        assertEquals(kvs, p.kvs(), ctx + " limit " + limit);
                        assertEquals(limit > 0 && all.kvs().size() > limit, p.more(), ctx + " limit " + limit);
                    }
                }
            }
        }
    }
}
