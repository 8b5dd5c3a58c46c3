package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static io.vetcd.mvcc.StoreTestSupport.delete;
import static io.vetcd.mvcc.StoreTestSupport.get;
import static io.vetcd.mvcc.StoreTestSupport.keys;
import static io.vetcd.mvcc.StoreTestSupport.open;
import static io.vetcd.mvcc.StoreTestSupport.put;
import static io.vetcd.mvcc.StoreTestSupport.req;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvccStoreBasicTest {

    @TempDir
    Path dir;

    @Test
    void emptyStoreStartsAtRevisionOne() {
        try (MvccStore s = open(dir)) {
            assertEquals(1, s.currentRevision());
            assertEquals(0, s.compactRevision());
            assertEquals(0, s.consistentIndex());
            RangeResult r = s.range(req("a", null).build());
            assertEquals(0, r.count());
            assertEquals(1, r.revision());
        }
    }

    @Test
    void putVersionsAndCreateRevision() {
        try (MvccStore s = open(dir)) {
            assertEquals(2, put(s, "foo", "v1"));
            assertEquals(3, put(s, "foo", "v2"));
            KeyValue kv = get(s, "foo", 0);
            assertEquals(2, kv.getCreateRevision());
            assertEquals(3, kv.getModRevision());
            assertEquals(2, kv.getVersion());
            assertEquals("v2", kv.getValue().toStringUtf8());
            KeyValue old = get(s, "foo", 2);
            assertEquals("v1", old.getValue().toStringUtf8());
            assertEquals(1, old.getVersion());
        }
    }

    @Test
    void deleteThenRecreate() {
        try (MvccStore s = open(dir)) {
            put(s, "k", "a"); // 2
            put(s, "k", "b"); // 3
            assertEquals(4, delete(s, "k", null));
            assertNull(get(s, "k", 0));
            assertNull(get(s, "k", 4));
            assertEquals("b", get(s, "k", 3).getValue().toStringUtf8());
            assertEquals(5, put(s, "k", "c"));
            KeyValue kv = get(s, "k", 0);
            assertEquals(5, kv.getCreateRevision());
            assertEquals(1, kv.getVersion());
            // deleting a missing key is not a change
            assertEquals(5, delete(s, "nothere", null));
            assertEquals(5, s.currentRevision());
        }
    }

    @Test
    void futureAndCompactedErrors() {
        try (MvccStore s = open(dir)) {
            put(s, "a", "1");
            put(s, "a", "2");
            FutureRevisionException f = assertThrows(FutureRevisionException.class,
                    () -> s.range(req("a", null).setRevision(10).build()));
            assertEquals("mvcc: required revision is a future revision", f.getMessage());
            s.compact(3).join();
            CompactedException c = assertThrows(CompactedException.class,
                    () -> s.range(req("a", null).setRevision(2).build()));
            assertEquals("mvcc: required revision has been compacted", c.getMessage());
            assertThrows(CompactedException.class, () -> s.compact(3));
            assertThrows(CompactedException.class, () -> s.compact(2));
            assertThrows(FutureRevisionException.class, () -> s.compact(4));
            assertEquals("2", get(s, "a", 3).getValue().toStringUtf8());
        }
    }

    @Test
    void txnSeesOwnWritesAndUsesSubRevisions() {
        try (MvccStore s = open(dir)) {
            put(s, "a", "0");
            List<Changes> seen = new ArrayList<>();
            s.addChangeListener(seen::add);
            WriteTxn t = s.beginWrite();
            assertEquals("0", t.put(b("a"), b("1"), 0).getValue().toStringUtf8());
            t.put(b("b"), b("2"), 7);
            RangeResult r = t.range(req("a", "z").build());
            assertEquals(List.of("a", "b"), keys(r));
            assertEquals(3, r.revision());
            assertEquals(2, r.kvs().get(0).getVersion());
            List<KeyValue> del = t.deleteRange(b("a"), null);
            assertEquals(1, del.size());
            assertEquals("1", del.get(0).getValue().toStringUtf8());
            assertEquals(List.of("b"), keys(t.range(req("a", "z").build())));
            // reading the committed past inside the txn
            assertEquals("0", t.range(req("a", null).setRevision(2).build()).kvs().get(0).getValue().toStringUtf8());
            assertEquals(3, t.commit(42));
            assertEquals(3, s.currentRevision());
            assertEquals(42, s.consistentIndex());

            assertEquals(1, seen.size());
            Changes ch = seen.get(0);
            assertEquals(3, ch.revision());
            assertEquals(3, ch.events().size());
            Event e0 = ch.events().get(0);
            assertEquals(Event.EventType.PUT, e0.getType());
            assertEquals("0", e0.getPrevKv().getValue().toStringUtf8());
            Event e2 = ch.events().get(2);
            assertEquals(Event.EventType.DELETE, e2.getType());
            assertEquals(3, e2.getKv().getModRevision());
            assertEquals("a", e2.getKv().getKey().toStringUtf8());

            // history keeps the sub-revisions in order
            List<Event> evs = s.eventsBetween(3, 3, 100);
            assertEquals(3, evs.size());
            assertEquals(ch.events(), evs);
            assertNull(get(s, "a", 0));
            assertEquals(7, get(s, "b", 0).getLease());
        }
    }

    @Test
    void txnWithoutChangesDoesNotBump() {
        try (MvccStore s = open(dir)) {
            put(s, "a", "0");
            List<Changes> seen = new ArrayList<>();
            s.addChangeListener(seen::add);
            WriteTxn t = s.beginWrite();
            t.range(req("a", null).build());
            t.putMeta(b("lease/1"), b("x"));
            assertEquals(2, t.commit(99));
            assertEquals(2, s.currentRevision());
            assertEquals(99, s.consistentIndex());
            assertTrue(seen.isEmpty());
            assertEquals("x", new String(s.getMeta(b("lease/1"))));
        }
    }

    @Test
    void fromKeyAndAllKeys() {
        try (MvccStore s = open(dir)) {
            for (String k : List.of("a", "b", "c", "d")) {
                put(s, k, k);
            }
            assertEquals(List.of("b", "c", "d"), keys(s.range(req("b", "\0").build())));
            assertEquals(List.of("a", "b", "c", "d"), keys(s.range(req("\0", "\0").build())));
            assertEquals(List.of("b", "c"), keys(s.range(req("b", "d").build())));
            assertTrue(s.range(req("d", "b").build()).kvs().isEmpty());
            RangeResult lim = s.range(req("a", "\0").setLimit(2).build());
            assertEquals(List.of("a", "b"), keys(lim));
            assertTrue(lim.more());
            assertEquals(4, lim.count());
            RangeResult co = s.range(req("a", "\0").setCountOnly(true).build());
            assertEquals(4, co.count());
            assertTrue(co.kvs().isEmpty());
            assertFalse(co.more());
            RangeResult ko = s.range(req("a", "\0").setKeysOnly(true).build());
            assertTrue(ko.kvs().stream().allMatch(kv -> kv.getValue().isEmpty()));
            assertEquals(RangeRequest.getDefaultInstance().getLimit(), 0);
        }
    }

    @Test
    void reopenKeepsState() {
        try (MvccStore s = open(dir)) {
            put(s, "a", "1");
            put(s, "a", "2");
            put(s, "b", "3");
            s.compact(3).join();
            WriteTxn t = s.beginWrite();
            t.putMeta(b("m"), b("v"));
            t.commit(1234);
        }
        try (MvccStore s = open(dir)) {
            assertEquals(4, s.currentRevision());
            assertEquals(3, s.compactRevision());
            assertEquals(1234, s.consistentIndex());
            assertEquals("2", get(s, "a", 0).getValue().toStringUtf8());
            assertEquals("v", new String(s.getMeta(b("m"))));
            assertEquals(1, s.scanMeta(b("m")).size());
            assertThrows(CompactedException.class, () -> get(s, "a", 2));
            assertEquals(5, put(s, "c", "x"));
        }
    }
}
