package io.vetcd.lease;

import com.google.protobuf.ByteString;
import io.vetcd.mvcc.MvccOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.mvcc.WriteTxn;
import io.vetcd.pb.etcdserver.RangeRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lessor on a real store with a hand-driven clock. */
class LessorTest {
    static final long S = TimeUnit.SECONDS.toNanos(1);

    @TempDir Path dir;
    MvccStore store;
    long now = 1_000 * S;
    long index;
    Lessor lessor;

    @BeforeEach
    void open() {
        store = MvccStore.open(dir.resolve("db"), MvccOptions.defaults());
        lessor = newLessor();
        lessor.promote(0);
    }

    @AfterEach
    void close() {
        store.close();
    }

    Lessor newLessor() {
        Lessor l = new Lessor(store, () -> now, 2);
        l.recover();
        return l;
    }

    static ByteString bs(String s) { return ByteString.copyFromUtf8(s); }

    /** A put that attaches, as KvApplier does it: write, commit, then tell the lessor. */
    void put(String key, long lease) {
        WriteTxn t = store.beginWrite();
        t.put(bs(key), bs("v"), lease);
        t.commit(++index);
        lessor.attach(lease, bs(key));
    }

    static LeaseException.Reason reason(Runnable r) {
        return assertThrows(LeaseException.class, r::run).reason();
    }

    @Test
    void grantAppliesMinimumAndLimits() {
        assertEquals(2, lessor.grant(1, 1, ++index).ttlSeconds());
        assertEquals(2, lessor.grant(2, -5, ++index).ttlSeconds());
        assertEquals(LeaseException.Reason.EXISTS, reason(() -> lessor.grant(1, 10, ++index)));
        assertEquals(LeaseException.Reason.TTL_TOO_LARGE, reason(() -> lessor.grant(3, Lessor.MAX_LEASE_TTL + 1, ++index)));
        assertEquals(Lessor.MAX_LEASE_TTL, lessor.grant(4, Lessor.MAX_LEASE_TTL, ++index).ttlSeconds());
        assertEquals(LeaseException.Reason.NOT_FOUND, reason(() -> lessor.grant(0, 10, ++index)));
    }

    @Test
    void expiresOnlyAfterTtlAndRenewPushesExpiry() {
        lessor.grant(7, 10, ++index);
        now += 9 * S;
        assertTrue(lessor.findExpired(100).isEmpty());
        assertEquals(10L, lessor.renew(7).join());
        now += 9 * S;
        assertTrue(lessor.findExpired(100).isEmpty(), "renewed at t=9 s, so alive until t=19 s");
        assertEquals(1, lessor.lookup(7).remainingSeconds(now));
        now += 1 * S;
        assertEquals(List.of(7L), lessor.findExpired(100).stream().map(Lease::id).toList());
        // offered once, then again only after the retry interval if the revoke did not arrive
        assertTrue(lessor.findExpired(100).isEmpty());
        now += Lessor.EXPIRED_RETRY_NANOS;
        assertEquals(1, lessor.findExpired(100).size());
    }

    @Test
    void renewOfAnExpiredLeaseWaitsForTheRevoke() {
        lessor.grant(7, 5, ++index);
        now += 6 * S;
        CompletableFuture<Long> renew = lessor.renew(7);
        assertFalse(renew.isDone(), "an expired lease is not revived");
        lessor.revoke(7, ++index);
        ExecutionException e = assertThrows(ExecutionException.class, renew::get);
        assertEquals(LeaseException.Reason.NOT_FOUND, ((LeaseException) e.getCause()).reason());
        assertEquals(LeaseException.Reason.NOT_FOUND,
            ((LeaseException) assertThrows(ExecutionException.class, () -> lessor.renew(99).get()).getCause()).reason());
    }

    @Test
    void findExpiredRespectsTheLimitAndOrder() {
        for (long id = 1; id <= 10; id++) lessor.grant(id, 2 + id, ++index);
        now += 100 * S;
        assertEquals(List.of(1L, 2L, 3L), lessor.findExpired(3).stream().map(Lease::id).toList());
        assertEquals(7, lessor.findExpired(100).size());
    }

    @Test
    void revokeDeletesAttachedKeysInOneRevisionAndForgetsTheLease() {
        lessor.grant(5, 10, ++index);
        put("b", 5);
        put("a", 5);
        put("c", 0);
        long before = store.currentRevision();
        long rev = lessor.revoke(5, ++index);
        assertEquals(before + 1, rev);
        assertEquals(1, store.range(RangeRequest.newBuilder().setKey(bs("\0")).setRangeEnd(bs("\0")).build()).count());
        assertNull(lessor.lookup(5));
        assertEquals(index, store.consistentIndex());
        assertEquals(LeaseException.Reason.NOT_FOUND, reason(() -> lessor.revoke(5, ++index)));
    }

    @Test
    void detachedKeysSurviveTheRevoke() {
        lessor.grant(5, 10, ++index);
        put("a", 5);
        put("b", 5);
        lessor.detach(5, bs("a"));
        assertEquals(List.of(bs("b")), lessor.lookup(5).keys());
        lessor.revoke(5, ++index);
        assertEquals(1, store.range(RangeRequest.newBuilder().setKey(bs("a")).build()).count());
    }

    @Test
    void recoverRestoresLeasesAndAttachmentsWithAFreshTtl() {
        lessor.grant(5, 10, ++index);
        lessor.grant(6, 30, ++index);
        put("x", 5);
        put("y", 6);
        put("z", 5);
        now += 8 * S;
        Lessor again = newLessor();
        assertEquals(List.of(bs("x"), bs("z")), again.lookup(5).keys());
        assertEquals(30, again.lookup(6).ttlSeconds());
        assertTrue(again.findExpired(100).isEmpty(), "not primary yet: nothing expires");
        again.promote(S);
        assertEquals(11, again.lookup(5).remainingSeconds(now), "full TTL plus the extension");
        now += 10 * S;
        assertTrue(again.findExpired(100).isEmpty());
        now += 1 * S;
        assertEquals(List.of(5L), again.findExpired(100).stream().map(Lease::id).toList());
    }

    @Test
    void revokedLeaseIsNotRecovered() {
        lessor.grant(5, 10, ++index);
        lessor.revoke(5, ++index);
        assertNull(newLessor().lookup(5));
    }

    @Test
    void demotedLessorNeitherExpiresNorRenews() {
        lessor.grant(5, 10, ++index);
        lessor.demote();
        now += 100 * S;
        assertTrue(lessor.findExpired(100).isEmpty());
        assertEquals(LeaseException.Reason.NOT_PRIMARY,
            ((LeaseException) assertThrows(ExecutionException.class, () -> lessor.renew(5).get()).getCause()).reason());
        lessor.promote(0);
        assertEquals(10, lessor.lookup(5).remainingSeconds(now));
    }

    @Test
    void promoteSpreadsExpiriesThatWouldPileUp() {
        for (long id = 1; id <= 2000; id++) lessor.grant(id, 10, ++index);
        lessor.promote(0);
        long sameSecond = lessor.leases().stream().filter(l -> l.remainingNanos(now) <= 11 * S).count();
        assertTrue(sameSecond <= 750, "at most 3/4 of the revoke rate in one second: " + sameSecond);
    }

    @Test
    void idGeneratorGivesDistinctPositiveIds() {
        io.vetcd.server.IdGenerator g = new io.vetcd.server.IdGenerator(0xffff_ffff_ffffL, System.currentTimeMillis());
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            long id = g.nextLeaseId();
            assertTrue(id > 0);
            assertTrue(seen.add(id));
        }
    }
}
