package io.vetcd.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.stub.StreamObserver;
import io.vetcd.testing.InJvmCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leases across a leader kill in a 3-member cluster (heartbeat 100 ms, election timeout 1 s):
 * a lease kept alive through a follower never expires, and an abandoned lease expires no later than
 * etcd's lessor would let it.
 *
 * <p>etcd's semantics (server/lease/lessor.go, Promote; server/etcdserver/server.go calls
 * {@code lessor.Promote(s.Cfg.ElectionTimeout())} when this member becomes leader): the new leader
 * refreshes every lease to {@code now + extend + RemainingTTL}, extend being one election timeout and
 * RemainingTTL the granted TTL unless a checkpoint recorded less (checkpoints are off by default). So an
 * abandoned 5 s lease whose leader dies right after the grant expires at about
 * {@code t_elected + 1 s + 5 s}, where t_elected comes one election timeout or more after the kill.
 */
class LeaseFailoverTest {
    static final int TTL = 5;
    static final long ELECTION_TIMEOUT_MS = 1000;
    /** Slack over the new leader's expiry: the lessor's expiry check period (500 ms), the revoke's commit, the read. */
    static final long EXPIRY_SLACK_MS = 1500;

    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    @Test
    void leaseKeptAliveThroughAFollowerSurvivesALeaderKill() throws Exception {
        try (InJvmCluster cluster = InJvmCluster.start(3, "--heartbeat-interval", "100", "--election-timeout", "1000")) {
            int leader = cluster.leader();
            assertTrue(leader >= 0, "a leader was elected");
            int follower = (leader + 1) % 3;
            int other = (leader + 2) % 3;
            List<Throwable> keepAliveErrors = new CopyOnWriteArrayList<>();
            AtomicInteger renewals = new AtomicInteger();
            List<Long> ttls = new CopyOnWriteArrayList<>();
            try (Client onFollower = Client.builder().endpoints(cluster.members.get(follower).endpoint()).build();
                 Client onOther = Client.builder().endpoints(cluster.members.get(other).endpoint()).build()) {
                long id = onFollower.getLeaseClient().grant(TTL).get(20, TimeUnit.SECONDS).getID();
                onFollower.getKVClient().put(bs("kept"), bs("v"), PutOption.builder().withLeaseId(id).build()).get(20, TimeUnit.SECONDS);
                var keepAlive = onFollower.getLeaseClient().keepAlive(id, new StreamObserver<LeaseKeepAliveResponse>() {
                    @Override public void onNext(LeaseKeepAliveResponse r) { renewals.incrementAndGet(); ttls.add(r.getTTL()); }
                    @Override public void onError(Throwable t) { keepAliveErrors.add(t); }
                    @Override public void onCompleted() { }
                });
                try {
                    io.vetcd.testing.Eventually.until("keep-alive renewed through the follower before the kill",
                        java.time.Duration.ofSeconds(20), () -> renewals.get() >= 1);
                    int before = renewals.get();

                    long killed = System.nanoTime();
                    cluster.members.get(leader).stop();
                    cluster.members.set(leader, null);
                    long electedMs = -1;
                    List<String> misses = new ArrayList<>();
                    int checks = 0;
                    long end = killed + TimeUnit.SECONDS.toNanos(12);
                    while (System.nanoTime() < end) {
                        long atMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                        if (electedMs < 0 && cluster.leader() >= 0) electedMs = atMs;
                        for (Client c : List.of(onFollower, onOther)) {
                            var kvs = c.getKVClient().get(bs("kept"), GetOption.builder().withSerializable(true).build())
                                .get(20, TimeUnit.SECONDS).getKvs();
                            if (kvs.isEmpty()) misses.add(atMs + " ms on " + (c == onFollower ? "m" + follower : "m" + other));
                        }
                        checks++;
                        Thread.sleep(500);
                    }
                    int newLeader = cluster.leader();
                    int after = renewals.get() - before;
                    var ttl = onFollower.getLeaseClient().timeToLive(id, io.etcd.jetcd.options.LeaseOption.DEFAULT)
                        .get(20, TimeUnit.SECONDS);
                    System.out.printf("lease kept alive through follower m%d: old leader m%d killed; new leader m%d seen after %d ms; "
                            + "%d checks over 12 s, misses %s; renewals before %d, after %d; keep-alive errors %s; TTL now %d%n",
                        follower, leader, newLeader, electedMs, checks, misses, before, after, keepAliveErrors, ttl.getTTL());
                    assertTrue(newLeader >= 0 && newLeader != leader, "a new leader was elected");
                    assertEquals(List.of(), misses, "the kept-alive key was missing");
                    assertTrue(after >= 3, "keep-alives kept renewing after the leader change: " + after);
                    assertTrue(ttl.getTTL() > 0, "lease still granted, TTL " + ttl.getTTL());
                    // a linearizable read through the surviving quorum agrees
                    assertEquals(1, onOther.getKVClient().get(bs("kept")).get(20, TimeUnit.SECONDS).getCount());
                } finally {
                    keepAlive.close();
                }
            }
        }
    }

    @Test
    void abandonedLeaseExpiresWithinTtlPlusElectionTimeoutAfterALeaderChange() throws Exception {
        try (InJvmCluster cluster = InJvmCluster.start(3, "--heartbeat-interval", "100", "--election-timeout", "1000")) {
            int leader = cluster.leader();
            assertTrue(leader >= 0, "a leader was elected");
            int follower = (leader + 1) % 3;
            int other = (leader + 2) % 3;
            try (Client onFollower = Client.builder().endpoints(cluster.members.get(follower).endpoint()).build();
                 Client onOther = Client.builder().endpoints(cluster.members.get(other).endpoint()).build()) {
                long granted = System.nanoTime();
                long id = onFollower.getLeaseClient().grant(TTL).get(20, TimeUnit.SECONDS).getID();
                long grantReturned = System.nanoTime();
                onFollower.getKVClient().put(bs("abandoned"), bs("v"), PutOption.builder().withLeaseId(id).build())
                    .get(20, TimeUnit.SECONDS);
                // the put is committed on a quorum: both survivors will have it once applied
                long killed = System.nanoTime();
                cluster.members.get(leader).stop();
                cluster.members.set(leader, null);
                long elected = -1;
                long goneOnFollower = -1;
                long goneOnOther = -1;
                long firstSeenOnBoth = -1;
                long deadline = killed + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline && (goneOnFollower < 0 || goneOnOther < 0)) {
                    long now = System.nanoTime();
                    if (elected < 0 && cluster.leader() >= 0) elected = now;
                    boolean onF = exists(onFollower, "abandoned");
                    boolean onO = exists(onOther, "abandoned");
                    if (firstSeenOnBoth < 0 && onF && onO) firstSeenOnBoth = now;
                    if (!onF && goneOnFollower < 0 && firstSeenOnBoth >= 0) goneOnFollower = now;
                    if (!onO && goneOnOther < 0 && firstSeenOnBoth >= 0) goneOnOther = now;
                    Thread.sleep(100);
                }
                int newLeader = cluster.leader();
                long gone = Math.max(goneOnFollower, goneOnOther);
                System.out.printf("abandoned lease: grant call took %d ms, killed leader m%d %d ms after the grant returned; new leader m%d after %d ms; key gone "
                        + "on m%d %d ms and on m%d %d ms after the kill = %d ms after the grant, %d ms after the election "
                        + "(etcd: election + %d ms extend + %d s TTL, bound + %d ms slack)%n",
                    ms(grantReturned - granted), leader, ms(killed - grantReturned), newLeader, ms(elected - killed), follower, ms(goneOnFollower - killed), other,
                    ms(goneOnOther - killed), ms(gone - granted), ms(gone - elected), ELECTION_TIMEOUT_MS, TTL, EXPIRY_SLACK_MS);
                assertTrue(newLeader >= 0 && newLeader != leader, "a new leader was elected");
                assertTrue(firstSeenOnBoth >= 0, "the key was there after the kill");
                assertTrue(goneOnFollower >= 0 && goneOnOther >= 0, "the abandoned lease's key is gone within 20 s of the kill");
                // never early: the new leader counts the full TTL again from its promotion
                assertTrue(ms(Math.min(goneOnFollower, goneOnOther) - granted) >= TTL * 1000L,
                    "expired " + ms(Math.min(goneOnFollower, goneOnOther) - granted) + " ms after the grant, before its TTL");
                // and the new leader did extend it: not before its full TTL counted from the election
                assertTrue(ms(Math.min(goneOnFollower, goneOnOther) - elected) >= TTL * 1000L,
                    "expired " + ms(Math.min(goneOnFollower, goneOnOther) - elected) + " ms after the election: the promotion did not restart its TTL");
                // never late: at most TTL + one election timeout (the Promote extend) after the new leader took over
                long bound = TTL * 1000L + ELECTION_TIMEOUT_MS + EXPIRY_SLACK_MS;
                assertTrue(ms(gone - elected) <= bound, "gone " + ms(gone - elected) + " ms after the election, bound " + bound);
                assertEquals(0, onOther.getKVClient().get(bs("abandoned")).get(20, TimeUnit.SECONDS).getCount());
            }
        }
    }

    static long ms(long nanos) { return TimeUnit.NANOSECONDS.toMillis(nanos); }

    static boolean exists(Client c, String key) throws Exception {
        return c.getKVClient().get(bs(key), GetOption.builder().withSerializable(true).build()).get(20, TimeUnit.SECONDS)
            .getCount() > 0;
    }
}
