package io.vetcd.api;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Lock;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.election.NotLeaderException;
import io.etcd.jetcd.lock.LockResponse;
import io.etcd.jetcd.options.GetOption;
import io.vetcd.testing.InJvmMember;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The Lock and Election services through jetcd (and the JSON gateway) against an in-JVM member. */
class LockElectionJetcdTest {
    static InJvmMember member;
    static Client client;
    static KV kv;
    static Lease leases;
    static Lock locks;
    static Election election;

    @BeforeAll
    static void start() throws Exception {
        member = InJvmMember.start();
        client = Client.builder().endpoints(member.endpoint()).build();
        kv = client.getKVClient();
        leases = client.getLeaseClient();
        locks = client.getLockClient();
        election = client.getElectionClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        member.close();
    }

    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    static String str(ByteSequence b) { return b.toString(StandardCharsets.UTF_8); }

    static long lease() throws Exception { return leases.grant(60).get().getID(); }

    static Throwable cause(Throwable t) {
        while (t instanceof ExecutionException && t.getCause() != null) t = t.getCause();
        return t;
    }

    static <T> void assertWaiting(CompletableFuture<T> f) {
        assertThrows(TimeoutException.class, () -> f.get(700, TimeUnit.MILLISECONDS));
    }


    @Test
    void waitsForEveryOlderContenderToGo() throws Exception {
        // contenders are just keys under name/: plain keys stand in for other holders
        kv.put(bs("lk0/a"), bs("")).get();
        kv.put(bs("lk0/b"), bs("")).get();
        CompletableFuture<LockResponse> mine = locks.lock(bs("lk0"), 0);
        assertWaiting(mine);
        kv.delete(bs("lk0/b")).get();
        assertWaiting(mine);
        long rev = kv.delete(bs("lk0/a")).get().getHeader().getRevision();
        LockResponse r = mine.get(10, TimeUnit.SECONDS);
        assertTrue(str(r.getKey()).startsWith("lk0/"));
        assertEquals(rev, r.getHeader().getRevision()); // the header of the read that saw the way clear
        locks.unlock(r.getKey()).get();
        assertEquals(0, kv.get(bs("lk0/"), GetOption.builder().isPrefix(true).build()).get().getCount());
    }

    @Test
    void campaignWaitsForTheLeaderAndObserveFollows() throws Exception {
        ByteSequence name = bs("el0");
        List<String> seen = new CopyOnWriteArrayList<>();
        election.observe(name, new Election.Listener() {
            @Override public void onNext(LeaderResponse r) { seen.add(str(r.getKv().getValue())); }
            @Override public void onError(Throwable t) { }
            @Override public void onCompleted() { }
        });
        kv.put(bs("el0/other"), bs("x")).get();
        eventually(() -> seen.equals(List.of("x")));
        kv.put(bs("el0/other"), bs("y")).get();
        eventually(() -> seen.equals(List.of("x", "y")));
        CompletableFuture<CampaignResponse> c = election.campaign(name, 0, bs("me"));
        assertWaiting(c);
        assertEquals("y", str(election.leader(name).get().getKv().getValue()));
        kv.delete(bs("el0/other")).get();
        LeaderKey k = c.get(10, TimeUnit.SECONDS).getLeader();
        assertTrue(str(k.getKey()).startsWith("el0/"));
        eventually(() -> seen.equals(List.of("x", "y", "me")));
        election.proclaim(k, bs("me2")).get();
        eventually(() -> seen.equals(List.of("x", "y", "me", "me2")));
        election.resign(k).get();
        assertInstanceOf(NoLeaderException.class,
            cause(assertThrows(ExecutionException.class, () -> election.leader(name).get())));
    }

    @Test
    void secondContenderWaitsUntilTheFirstUnlocks() throws Exception {
        long l1 = lease();
        long l2 = lease();
        LockResponse first = locks.lock(bs("lk1"), l1).get(10, TimeUnit.SECONDS);
        assertEquals("lk1/" + Long.toHexString(l1), str(first.getKey()));
        CompletableFuture<LockResponse> second = locks.lock(bs("lk1"), l2);
        assertWaiting(second);
        long unlockRev = locks.unlock(first.getKey()).get().getHeader().getRevision();
        LockResponse got = second.get(10, TimeUnit.SECONDS);
        assertEquals("lk1/" + Long.toHexString(l2), str(got.getKey()));
        assertTrue(got.getHeader().getRevision() >= unlockRev);
        // the key is on the caller's lease
        assertEquals(l2, kv.get(got.getKey()).get().getKvs().get(0).getLease());
        locks.unlock(got.getKey()).get();
    }

    @Test
    void sameLeaseLocksAgainAtOnce() throws Exception {
        long l = lease();
        LockResponse a = locks.lock(bs("lk2"), l).get(10, TimeUnit.SECONDS);
        LockResponse b = locks.lock(bs("lk2"), l).get(10, TimeUnit.SECONDS);
        assertEquals(a.getKey(), b.getKey());
        locks.unlock(a.getKey()).get();
    }

    @Test
    void revokingTheHoldersLeaseHandsTheLockOn() throws Exception {
        long l1 = lease();
        long l2 = lease();
        locks.lock(bs("lk3"), l1).get(10, TimeUnit.SECONDS);
        CompletableFuture<LockResponse> second = locks.lock(bs("lk3"), l2);
        assertWaiting(second);
        leases.revoke(l1).get();
        assertEquals("lk3/" + Long.toHexString(l2), str(second.get(10, TimeUnit.SECONDS).getKey()));
    }

    @Test
    void lockOnAnUnknownLeaseFails() {
        Throwable t = cause(assertThrows(ExecutionException.class, () -> locks.lock(bs("lk4"), 0x7777777).get()));
        assertTrue(t.getMessage().contains("UNKNOWN") && t.getMessage().contains("etcdserver: requested lease not found"),
            t.getMessage());
    }

    @Test
    void leaseZeroLocksOnAFreshLease() throws Exception {
        LockResponse r = locks.lock(bs("lk5"), 0).get(10, TimeUnit.SECONDS);
        long lease = kv.get(r.getKey()).get().getKvs().get(0).getLease();
        assertTrue(lease != 0);
        assertEquals("lk5/" + Long.toHexString(lease), str(r.getKey()));
        long ttl = leases.timeToLive(lease, io.etcd.jetcd.options.LeaseOption.DEFAULT).get().getGrantedTTL();
        assertEquals(60, ttl);
        locks.unlock(r.getKey()).get();
    }

    @Test
    void aWaiterThatGoesAwayGivesUpItsPlace() throws Exception {
        kv.put(bs("lk6/holder"), bs("")).get();
        ByteSequence prefix = bs("lk6/");
        GetOption all = GetOption.builder().isPrefix(true).build();
        String body = "{\"name\":\"" + b64("lk6") + "\"}";
        try (Socket s = new Socket("127.0.0.1", member.clientPort)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v3/lock/lock HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            eventually(() -> kv.get(prefix, all).get().getCount() == 2);
        }
        // etcd's Mutex deletes its key when the wait fails, here because the caller disconnected
        eventually(() -> kv.get(prefix, all).get().getCount() == 1);
        assertEquals("lk6/holder", str(kv.get(prefix, all).get().getKvs().get(0).getKey()));
        kv.delete(bs("lk6/holder")).get();
    }

    @Test
    void lockAndUnlockOverJson() throws Exception {
        String out = post("/v3/lock/lock", "{\"name\":\"" + b64("lk7") + "\"}");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"key\":\"([^\"]*)\"").matcher(out);
        assertTrue(m.find(), out);
        String key = new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
        assertTrue(key.startsWith("lk7/"), key);
        assertTrue(out.contains("\"header\":{"), out);
        assertEquals(1, kv.get(bs(key)).get().getCount());
        post("/v3beta/lock/unlock", "{\"key\":\"" + m.group(1) + "\"}");
        assertEquals(0, kv.get(bs(key)).get().getCount());
    }

    @Test
    void campaignProclaimLeaderObserveResign() throws Exception {
        ByteSequence name = bs("el1");
        long l1 = lease();
        long l2 = lease();
        List<String> seen = new CopyOnWriteArrayList<>();
        election.observe(name, new Election.Listener() {
            @Override public void onNext(LeaderResponse r) { seen.add(str(r.getKv().getValue())); }
            @Override public void onError(Throwable t) { }
            @Override public void onCompleted() { }
        });
        CampaignResponse c1 = election.campaign(name, l1, bs("a")).get(10, TimeUnit.SECONDS);
        LeaderKey k1 = c1.getLeader();
        assertEquals("el1/" + Long.toHexString(l1), str(k1.getKey()));
        assertEquals("el1", str(k1.getName()));
        assertEquals(l1, k1.getLease());
        assertEquals(c1.getHeader().getRevision(), k1.getRevision());
        eventually(() -> seen.equals(List.of("a")), () -> "observed " + seen);

        CompletableFuture<CampaignResponse> c2 = election.campaign(name, l2, bs("b"));
        assertWaiting(c2);
        election.proclaim(k1, bs("a2")).get();
        assertEquals("a2", str(election.leader(name).get().getKv().getValue()));
        eventually(() -> seen.equals(List.of("a", "a2")), () -> "observed " + seen);

        election.resign(k1).get();
        LeaderKey k2 = c2.get(10, TimeUnit.SECONDS).getLeader();
        assertEquals("el1/" + Long.toHexString(l2), str(k2.getKey()));
        assertEquals("b", str(election.leader(name).get().getKv().getValue()));
        eventually(() -> seen.equals(List.of("a", "a2", "b")), () -> "observed " + seen);

        // the old leadership is gone: proclaiming with it fails, resigning it does nothing
        Throwable t = cause(assertThrows(ExecutionException.class, () -> election.proclaim(k1, bs("x")).get()));
        assertInstanceOf(NotLeaderException.class, t);
        election.resign(k1).get();
        assertEquals("b", str(election.leader(name).get().getKv().getValue()));
        election.resign(k2).get();
        assertInstanceOf(NoLeaderException.class,
            cause(assertThrows(ExecutionException.class, () -> election.leader(name).get())));
    }

    @Test
    void campaignAgainWithTheSameLeaseUpdatesTheValue() throws Exception {
        long l = lease();
        LeaderKey k = election.campaign(bs("el2"), l, bs("v1")).get(10, TimeUnit.SECONDS).getLeader();
        LeaderKey again = election.campaign(bs("el2"), l, bs("v2")).get(10, TimeUnit.SECONDS).getLeader();
        assertEquals(k.getRevision(), again.getRevision());
        assertEquals("v2", str(election.leader(bs("el2")).get().getKv().getValue()));
        election.resign(again).get();
    }

    @Test
    void noLeaderAndMissingLeaderKeyOverJson() throws Exception {
        String out = post("/v3/election/leader", "{\"name\":\"" + b64("nobody") + "\"}");
        assertTrue(out.contains("election: no leader") && out.contains("\"code\":2"), out);
        out = post("/v3/election/proclaim", "{}");
        assertTrue(out.contains("\\\"leader\\\" field must be provided"), out);
    }

    @Test
    void campaignAndLeaderOverJson() throws Exception {
        String out = post("/v3/election/campaign",
            "{\"name\":\"" + b64("el3") + "\",\"value\":\"" + b64("hello") + "\"}");
        assertTrue(out.contains("\"leader\":{\"name\":\"" + b64("el3") + "\",\"key\":\""), out);
        out = post("/v3/election/leader", "{\"name\":\"" + b64("el3") + "\"}");
        assertTrue(out.contains("\"value\":\"" + b64("hello") + "\""), out);
    }

    static String b64(String s) { return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }

    /** One HTTP/1.1 POST, the whole response (status line, headers, body) as text. */
    static String post(String path, String body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", member.clientPort)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    interface Check { boolean ok() throws Exception; }

    static void eventually(Check c) throws Exception {
        eventually(c, () -> "");
    }

    static void eventually(Check c, java.util.function.Supplier<String> state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.ok()) {
            if (System.nanoTime() > deadline) fail("condition not reached in 10 s " + state.get());
            Thread.sleep(50);
        }
    }
}
