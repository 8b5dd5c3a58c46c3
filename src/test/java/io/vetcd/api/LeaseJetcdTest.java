package io.vetcd.api;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.testing.Eventually;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.OffsetLeaseClock;
import io.vetcd.testing.Ports;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Lease API through jetcd (and the JSON gateway) against an in-JVM member. */
class LeaseJetcdTest {
    static InJvmMember member;
    /** The lessor's clock: a test moves it instead of waiting out a TTL. */
    static final OffsetLeaseClock clock = new OffsetLeaseClock();
    static Client client;
    static KV kv;
    static Lease lease;

    @BeforeAll
    static void start() throws Exception {
        member = InJvmMember.start(clock, java.nio.file.Files.createTempDirectory("vetcd-test"), Ports.free(), Ports.free());
        connect();
    }

    static void connect() {
        client = Client.builder().endpoints(member.endpoint()).build();
        kv = client.getKVClient();
        lease = client.getLeaseClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        member.close();
    }

    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    static String error(Throwable t) {
        while (t instanceof ExecutionException && t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }

    static long count(String prefix) throws Exception {
        return kv.get(bs(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build()).get().getCount();
    }

    @Test
    void grantRaisesTtlToTheMinimumAndAssignsPositiveIds() throws Exception {
        var small = lease.grant(1).get();
        assertEquals(2, small.getTTL(), "etcd's minimum TTL with default heartbeat/election is 2 s");
        assertTrue(small.getID() > 0);
        var other = lease.grant(10).get();
        assertTrue(other.getID() > 0 && other.getID() != small.getID());
        assertEquals(10, other.getTTL());
    }

    @Test
    void revokeDeletesAttachedKeysInOneRevision() throws Exception {
        long id = lease.grant(60).get().getID();
        kv.put(bs("rv/a"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        kv.put(bs("rv/b"), bs("2"), PutOption.builder().withLeaseId(id).build()).get();
        kv.put(bs("rv/c"), bs("3"), PutOption.builder().withLeaseId(id).build()).get();
        // c leaves the lease: overwritten without one; d never had it
        long putRev = kv.put(bs("rv/c"), bs("3")).get().getHeader().getRevision();
        kv.put(bs("rv/d"), bs("4")).get();
        long before = kv.get(bs("rv/d")).get().getHeader().getRevision();
        assertEquals(putRev + 1, before);

        long revokeRev = lease.revoke(id).get().getHeader().getRevision();
        assertEquals(before + 1, revokeRev, "all deletes share one new revision");
        assertEquals(2, count("rv/"));
        List<Event> events = member.node.server().store().eventsBetween(revokeRev, revokeRev, 100);
        assertEquals(2, events.size());
        for (Event e : events) {
            assertEquals(Event.EventType.DELETE, e.getType());
            assertEquals(revokeRev, e.getKv().getModRevision());
        }
        assertEquals(-1, lease.timeToLive(id, LeaseOption.DEFAULT).get().getTTL());
        assertTrue(error(assertThrows(ExecutionException.class, () -> lease.revoke(id).get()))
            .contains("etcdserver: requested lease not found"));
    }

    @Test
    void revokeWithoutKeysKeepsTheRevision() throws Exception {
        long id = lease.grant(60).get().getID();
        long rev = kv.get(bs("none")).get().getHeader().getRevision();
        assertEquals(rev, lease.revoke(id).get().getHeader().getRevision());
    }

    @Test
    void deleteAndTxnDetachKeys() throws Exception {
        long id = lease.grant(60).get().getID();
        kv.put(bs("dt/a"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        kv.put(bs("dt/b"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        kv.put(bs("dt/c"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        kv.delete(bs("dt/a")).get();
        kv.txn().Then(io.etcd.jetcd.op.Op.delete(bs("dt/b"), io.etcd.jetcd.options.DeleteOption.DEFAULT)).commit().get();
        var ttl = lease.timeToLive(id, LeaseOption.newBuilder().withAttachedKeys().build()).get();
        assertEquals(List.of(bs("dt/c")), ttl.getKeys());
        // a key put again, this time without the lease, survives the revoke
        kv.put(bs("dt/a"), bs("2")).get();
        lease.revoke(id).get();
        assertEquals(1, count("dt/"));
    }

    @Test
    void ignoreLeaseKeepsTheOldLease() throws Exception {
        long id = lease.grant(60).get().getID();
        kv.put(bs("il/a"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        // jetcd has no ignore_lease; etcdctl's --ignore-lease is covered by the differential test
        String b64key = java.util.Base64.getEncoder().encodeToString("il/a".getBytes(StandardCharsets.UTF_8));
        String b64val = java.util.Base64.getEncoder().encodeToString("2".getBytes(StandardCharsets.UTF_8));
        post(HttpClient.newHttpClient(), "/v3/kv/put",
            "{\"key\":\"" + b64key + "\",\"value\":\"" + b64val + "\",\"ignore_lease\":true}");
        assertEquals("2", kv.get(bs("il/a")).get().getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
        assertEquals(id, kv.get(bs("il/a")).get().getKvs().get(0).getLease());
        lease.revoke(id).get();
        assertEquals(0, count("il/"));
    }

    @Test
    void putWithUnknownLeaseFails() {
        String msg = error(assertThrows(ExecutionException.class,
            () -> kv.put(bs("ul/a"), bs("1"), PutOption.builder().withLeaseId(0x7777).build()).get()));
        assertTrue(msg.contains("NOT_FOUND") && msg.contains("etcdserver: requested lease not found"), msg);
    }

    @Test
    void timeToLiveWithKeysAndUnknownLease() throws Exception {
        long id = lease.grant(30).get().getID();
        kv.put(bs("tl/b"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        kv.put(bs("tl/a"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        LeaseTimeToLiveResponse r = lease.timeToLive(id, LeaseOption.newBuilder().withAttachedKeys().build()).get();
        assertEquals(30, r.getGrantedTTL());
        assertTrue(r.getTTL() >= 28 && r.getTTL() <= 30, "remaining " + r.getTTL());
        assertEquals(List.of(bs("tl/a"), bs("tl/b")), r.getKeys());
        LeaseTimeToLiveResponse unknown = lease.timeToLive(0x1234, LeaseOption.DEFAULT).get();
        assertEquals(-1, unknown.getTTL());
        lease.revoke(id).get();
    }

    @Test
    void leasesListsGrantedLeases() throws Exception {
        long a = lease.grant(60).get().getID();
        long b = lease.grant(60).get().getID();
        // jetcd 0.8 has no Leases call; the gateway serves the same LeaseLeases
        HttpClient http = HttpClient.newHttpClient();
        String ids = post(http, "/v3/lease/leases", "{}");
        assertTrue(ids.contains("\"ID\":\"" + a + "\"") && ids.contains("\"ID\":\"" + b + "\""), ids);
        lease.revoke(a).get();
        ids = post(http, "/v3/lease/leases", "{}");
        assertTrue(!ids.contains("\"ID\":\"" + a + "\"") && ids.contains("\"ID\":\"" + b + "\""), ids);
        lease.revoke(b).get();
    }

    @Test
    void keepAliveOnceOfUnknownLeaseFails() throws Exception {
        long id = lease.grant(60).get().getID();
        assertEquals(60, lease.keepAliveOnce(id).get().getTTL());
        lease.revoke(id).get();
        // jetcd turns etcd's TTL 0 answer into a "lease expired" error
        assertThrows(ExecutionException.class, () -> lease.keepAliveOnce(id).get());
    }

    @Test
    void keepAliveStreamKeepsALeaseAlive() throws Exception {
        long id = lease.grant(5).get().getID();
        kv.put(bs("ka/a"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        AtomicInteger answers = new AtomicInteger();
        AtomicLong lastTtl = new AtomicLong();
        try (CloseableClient keep = lease.keepAlive(id, new StreamObserver<>() {
            @Override public void onNext(LeaseKeepAliveResponse r) { answers.incrementAndGet(); lastTtl.set(r.getTTL()); }
            @Override public void onError(Throwable t) { }
            @Override public void onCompleted() { }
        })) {
            // the lessor's clock runs ahead while keep-alives flow: after each answer it jumps 1.5 s (jetcd renews
            // every TTL/3, ~1.7 s), so 4 steps take the lease ~6 s past its grant plus the real time, beyond its TTL
            for (int step = 0; step < 4; step++) {
                int seen = answers.get();
                Eventually.until("a keep-alive answer", Duration.ofSeconds(10), () -> answers.get() > seen);
                clock.advance(Duration.ofMillis(1500));
            }
            assertEquals(1, count("ka/"), "kept alive beyond its 5 s TTL on the lessor's clock");
        }
        assertTrue(answers.get() >= 2, "answers: " + answers.get());
        assertEquals(5, lastTtl.get());
        lease.revoke(id).get();
    }

    @Test
    void leaseNotKeptAliveExpiresAndItsKeysGo() throws Exception {
        long id = lease.grant(2).get().getID();
        kv.put(bs("ex/a"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        kv.put(bs("ex/b"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        long start = System.nanoTime();
        while (count("ex/") > 0) {
            assertTrue(System.nanoTime() - start < 4_000_000_000L, "expired within TTL + 2 s");
            Thread.sleep(100);
        }
        assertTrue(System.nanoTime() - start > 1_000_000_000L, "not before its TTL");
        assertEquals(-1, lease.timeToLive(id, LeaseOption.DEFAULT).get().getTTL());
    }

    @Test
    void gatewayGrantWithIdRefusesDuplicatesAndTooLargeTtls() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String grant = post(http, "/v3/lease/grant", "{\"ID\":\"4242\",\"TTL\":\"30\"}");
        assertTrue(grant.contains("\"ID\":\"4242\"") && grant.contains("\"TTL\":\"30\""), grant);
        String dup = post(http, "/v3/lease/grant", "{\"ID\":\"4242\",\"TTL\":\"30\"}");
        assertTrue(dup.contains("etcdserver: lease already exists"), dup);
        String big = post(http, "/v3/lease/grant", "{\"ID\":\"4243\",\"TTL\":\"9000000001\"}");
        assertTrue(big.contains("etcdserver: too large lease TTL"), big);
        String ka = post(http, "/v3/lease/keepalive", "{\"ID\":\"4242\"}");
        assertTrue(ka.startsWith("{\"result\":") && ka.contains("\"TTL\":\"30\""), ka);
        String ttl = post(http, "/v3/kv/lease/timetolive", "{\"ID\":\"4242\"}");
        assertTrue(ttl.contains("\"grantedTTL\":\"30\""), ttl);
        String leases = post(http, "/v3beta/kv/lease/leases", "{}");
        assertTrue(leases.contains("\"ID\":\"4242\""), leases);
        assertTrue(post(http, "/v3/kv/lease/revoke", "{\"ID\":\"4242\"}").contains("\"revision\""));
        assertTrue(post(http, "/v3/lease/revoke", "{\"ID\":\"4242\"}").contains("etcdserver: requested lease not found"));
    }

    static String post(HttpClient http, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(member.endpoint() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void leasesAndAttachmentsSurviveARestart() throws Exception {
        long id = lease.grant(20).get().getID();
        kv.put(bs("rs/a"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        kv.put(bs("rs/b"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
        client.close();
        member.stop();
        member = InJvmMember.start(clock, member.dataDir, member.clientPort, member.peerPort);
        connect();
        var r = lease.timeToLive(id, LeaseOption.newBuilder().withAttachedKeys().build()).get();
        assertEquals(20, r.getGrantedTTL());
        assertTrue(r.getTTL() >= 20, "a fresh full TTL (plus an election timeout) after restart: " + r.getTTL());
        assertEquals(List.of(bs("rs/a"), bs("rs/b")), r.getKeys());
        lease.revoke(id).get();
        assertEquals(0, count("rs/"));
    }
}
