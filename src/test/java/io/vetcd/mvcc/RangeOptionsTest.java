package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static io.vetcd.mvcc.StoreTestSupport.keys;
import static io.vetcd.mvcc.StoreTestSupport.req;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.pb.etcdserver.RangeRequest.SortOrder;
import io.vetcd.pb.etcdserver.RangeRequest.SortTarget;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-checked examples of etcd's range options (the randomized model test covers combinations). */
class RangeOptionsTest {

    @TempDir
    Path dir;
    MvccStore s;

    /**
     * Revisions: a=2 (val "3"), b=3 (val "1"), c=4 (val "2"), then b rewritten at 5 (val "9"),
     * so: a{create 2, mod 2, ver 1}, b{create 3, mod 5, ver 2}, c{create 4, mod 4, ver 1}.
     */
    @BeforeEach
    void fill() {
        s = StoreTestSupport.open(dir);
        StoreTestSupport.put(s, "a", "3");
        StoreTestSupport.put(s, "b", "1");
        StoreTestSupport.put(s, "c", "2");
        StoreTestSupport.put(s, "b", "9");
    }

    @AfterEach
    void close() {
        s.close();
    }

    @Test
    void sortTargetsAndOrders() {
        assertEquals(List.of("c", "b", "a"), keys(s.range(req("a", "z").setSortOrder(SortOrder.DESCEND).build())));
        assertEquals(List.of("b", "c", "a"), keys(s.range(req("a", "z")
                .setSortTarget(SortTarget.MOD).setSortOrder(SortOrder.DESCEND).build())));
        assertEquals(List.of("a", "b", "c"), keys(s.range(req("a", "z")
                .setSortTarget(SortTarget.CREATE).setSortOrder(SortOrder.ASCEND).build())));
        assertEquals(List.of("c", "a", "b"), keys(s.range(req("a", "z")
                .setSortTarget(SortTarget.VALUE).setSortOrder(SortOrder.ASCEND).build())));
        // version 1,2,1 -> stable: a, c, b
        assertEquals(List.of("a", "c", "b"), keys(s.range(req("a", "z")
                .setSortTarget(SortTarget.VERSION).setSortOrder(SortOrder.ASCEND).build())));
    }

    @Test
    void sortWithLimitSortsEverythingFirst() {
        RangeResult r = s.range(req("a", "z").setSortTarget(SortTarget.VALUE)
                .setSortOrder(SortOrder.DESCEND).setLimit(1).build());
        assertEquals(List.of("b"), keys(r));
        assertTrue(r.more());
        assertEquals(3, r.count());
    }

    @Test
    void sortTargetWithoutOrderOnlySortsTheFetchedPage() {
        // etcd quirk: order NONE + target VALUE + limit 1 fetches a("3"), b("9") (limit+1) and
        // sorts only those, so the answer is a, not c("2") as a full sort would give.
        RangeResult r = s.range(req("a", "z").setSortTarget(SortTarget.VALUE).setLimit(1).build());
        assertEquals(List.of("a"), keys(r));
        assertTrue(r.more());
    }

    @Test
    void revisionFiltersKeepCountUnfiltered() {
        RangeResult r = s.range(req("a", "z").setMinModRevision(3).build());
        assertEquals(List.of("b", "c"), keys(r));
        assertEquals(3, r.count());
        r = s.range(req("a", "z").setMaxCreateRevision(3).setLimit(1).build());
        assertEquals(List.of("a"), keys(r));
        assertTrue(r.more());
        r = s.range(req("a", "z").setMinCreateRevision(4).setMaxModRevision(4).build());
        assertEquals(List.of("c"), keys(r));
        assertFalse(r.more());
    }

    @Test
    void keysOnlyStillSortsByValue() {
        RangeResult r = s.range(req("a", "z").setSortTarget(SortTarget.VALUE)
                .setSortOrder(SortOrder.ASCEND).setKeysOnly(true).build());
        assertEquals(List.of("c", "a", "b"), keys(r));
        assertTrue(r.kvs().stream().allMatch(kv -> kv.getValue().isEmpty()));
    }

    @Test
    void pastRevisionAndCountOnly() {
        RangeResult r = s.range(req("a", "z").setRevision(4).build());
        assertEquals("1", r.kvs().get(1).getValue().toStringUtf8());
        assertEquals(4, r.readRevision());
        assertEquals(5, r.revision()); // etcd's header revision is the current one
        r = s.range(req("a", "\0").setCountOnly(true).setLimit(1).build());
        assertEquals(3, r.count());
        assertTrue(r.kvs().isEmpty());
        assertFalse(r.more());
        assertEquals(0, s.range(req("a", "z").setRevision(1).build()).count());
        assertEquals(List.of("b"), keys(s.range(b("b"), null, 0)));
    }
}
