package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.pb.mvcc.KeyValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grouped txns (one RocksDB write per applied raft batch, without RocksDB's WAL): later txns of a
 * group see the earlier ones, readers see nothing until the group is written, revisions are
 * published in order; and a crash (kill -9: {@link MvccStore#abandon}) keeps exactly what was
 * flushed, a consistent prefix from which replaying the raft log ends in the same state.
 */
class GroupedWriteTest {

    @TempDir
    Path dir;

    @Test
    void aGroupIsInvisibleToReadersUntilWrittenAndSeesItselfWhileBuilt() {
        try (MvccStore s = StoreTestSupport.open(dir.resolve("g"))) {
            List<Long> published = new ArrayList<>();
            s.addChangeListener(c -> published.add(c.revision()));
            WriteTxn t1 = s.beginGroupedWrite();
            t1.put(b("k"), b("v1"), 0);
            t1.putMeta(b("m"), b("1"));
            assertEquals(2, t1.commit(1));
            WriteTxn t2 = s.beginGroupedWrite();
            assertEquals(2, t2.beginRevision());
            assertArrayEquals(b("1"), t2.getMeta(b("m")), "a grouped txn reads the group's meta");
            KeyValue prev = t2.put(b("k"), b("v2"), 0);
            assertArrayEquals(b("v1"), prev.getValue().toByteArray(), "a grouped txn sees the txn before it");
            assertEquals(2, t2.range(io.vetcd.pb.etcdserver.RangeRequest.newBuilder()
                .setKey(StoreTestSupport.bs("k")).setRevision(2).build()).kvs().get(0).getModRevision());
            assertEquals(3, t2.commit(2));
            assertEquals(3, s.writerRevision());
            // readers: nothing yet
            assertEquals(1, s.currentRevision());
            assertEquals(0, s.consistentIndex());
            assertTrue(s.range(b("k"), null, 0).kvs().isEmpty());
            assertNull(s.getMeta(b("m")));
            assertTrue(published.isEmpty());
            s.writePending();
            assertEquals(3, s.currentRevision());
            assertEquals(2, s.consistentIndex());
            assertEquals(List.of(2L, 3L), published);
            KeyValue kv = s.range(b("k"), null, 0).kvs().get(0);
            assertEquals(2, kv.getVersion());
            assertArrayEquals(b("v2"), kv.getValue().toByteArray());
            // an ungrouped txn writes the group first
            WriteTxn t3 = s.beginGroupedWrite();
            t3.put(b("x"), b("y"), 0);
            t3.commit(3);
            WriteTxn t4 = s.beginWrite();
            assertEquals(4, s.currentRevision(), "beginWrite wrote the waiting group");
            t4.commit(4);
            assertEquals(4, s.consistentIndex());
        }
    }

    /** Entry i: put "k{i%5}" = "v{i}", grouped, a batch written every 3 entries. */
    private static void apply(MvccStore s, long from, long to) {
        for (long i = from; i <= to; i++) {
            WriteTxn t = s.beginGroupedWrite();
            t.put(b("k" + i % 5), b("v" + i), 0);
            t.commit(i);
            if (i % 3 == 0) s.writePending();
        }
        s.writePending();
    }

    @Test
    void aCrashKeepsWhatWasFlushedAndTheRaftLogReplaysTheRest() {
        HashKV reference;
        try (MvccStore ref = StoreTestSupport.open(dir.resolve("ref"))) {
            apply(ref, 1, 40);
            reference = ref.hashKV(0);
        }
        MvccStore s = StoreTestSupport.open(dir.resolve("a"));
        apply(s, 1, 12);
        s.flush(); // what compactLog does before it releases the raft log through 12
        apply(s, 13, 30);
        assertEquals(30, s.consistentIndex());
        s.abandon(); // kill -9: entries 13..30 were only in memtables
        try (MvccStore r = StoreTestSupport.open(dir.resolve("a"))) {
            assertEquals(12, r.consistentIndex(), "the backend is durable through its last flush, not beyond");
            assertEquals(13, r.currentRevision());
            apply(r, r.consistentIndex() + 1, 40); // the raft WAL, kept past the flushed index, replays the rest
            assertEquals(reference, r.hashKV(0));
        }
    }
}
