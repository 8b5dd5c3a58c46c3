package io.vetcd.cluster;

import io.vetcd.testing.TempDirs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmCluster;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three in-JVM members driven by jetcd: replication, follower reads, failover, membership round trip. */
class ClusterJetcdTest {
    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    static String get(Client c, String key) throws Exception {
        var kvs = c.getKVClient().get(bs(key)).get(20, TimeUnit.SECONDS).getKvs();
        return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesReplicateAndFollowerReadsAreLinearizable() throws Exception {
        try (InJvmCluster cluster = InJvmCluster.start(3)) {
            int leader = cluster.leader();
            assertTrue(leader >= 0, "a leader was elected");
            int follower = (leader + 1) % 3;
            try (Client onFollower = Client.builder().endpoints(cluster.members.get(follower).endpoint()).build();
                 Client onOther = Client.builder().endpoints(cluster.members.get((leader + 2) % 3).endpoint()).build()) {
                for (int i = 0; i < 50; i++) {
                    // written through one follower, read at once through another: must never be stale
                    onFollower.getKVClient().put(bs("lin"), bs("v" + i)).get(20, TimeUnit.SECONDS);
                    assertEquals("v" + i, get(onOther, "lin"));
                }
                List<Member> members = onOther.getClusterClient().listMember().get(20, TimeUnit.SECONDS).getMembers();
                assertEquals(3, members.size());
                assertTrue(members.stream().allMatch(m -> !m.getClientURIs().isEmpty()), "every member published its client URLs");
            }
        }
    }

    @Test
    void leaseKeepAliveAndTimeToLiveOnAFollowerReachTheLeader() throws Exception {
        try (InJvmCluster cluster = InJvmCluster.start(3)) {
            int follower = (cluster.leader() + 1) % 3;
            try (Client c = Client.builder().endpoints(cluster.members.get(follower).endpoint()).build()) {
                long id = c.getLeaseClient().grant(5).get(20, TimeUnit.SECONDS).getID();
                c.getKVClient().put(bs("leased"), bs("v"), io.etcd.jetcd.options.PutOption.builder().withLeaseId(id).build())
                    .get(20, TimeUnit.SECONDS);
                for (int i = 0; i < 4; i++) {
                    Thread.sleep(2000);
                    assertTrue(c.getLeaseClient().keepAliveOnce(id).get(20, TimeUnit.SECONDS).getTTL() > 0);
                }
                // 8 s after a 5 s grant: alive only because the renewals reached the leader
                var ttl = c.getLeaseClient().timeToLive(id, io.etcd.jetcd.options.LeaseOption.builder().withAttachedKeys().build())
                    .get(20, TimeUnit.SECONDS);
                assertTrue(ttl.getTTL() > 0 && ttl.getTTL() <= 5, "remaining TTL " + ttl.getTTL());
                assertEquals(1, ttl.getKeys().size());
                assertEquals("v", get(c, "leased"));
            }
        }
    }

    @Test
    void failoverElectsANewLeaderThatServesWrites() throws Exception {
        try (InJvmCluster cluster = InJvmCluster.start(3)) {
            int leader = cluster.leader();
            assertTrue(leader >= 0);
            try (Client c = Client.builder().endpoints(cluster.endpoints().split(",")).build()) {
                c.getKVClient().put(bs("before"), bs("1")).get(20, TimeUnit.SECONDS);
            }
            long stopped = System.nanoTime();
            cluster.members.get(leader).stop();
            cluster.members.set(leader, null);
            int newLeader = -1;
            while (newLeader < 0 && System.nanoTime() - stopped < TimeUnit.SECONDS.toNanos(10)) {
                Thread.sleep(20);
                newLeader = cluster.leader();
            }
            long failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
            System.out.println("failover: new leader after " + failoverMs + " ms");
            assertTrue(newLeader >= 0 && newLeader != leader, "new leader within 10 s");
            try (Client c = Client.builder().endpoints(cluster.members.get(newLeader).endpoint()).build()) {
                c.getKVClient().put(bs("after"), bs("2")).get(20, TimeUnit.SECONDS);
                assertEquals("1", get(c, "before"));
                assertEquals("2", get(c, "after"));
            }
            // the old leader comes back with its data and catches up
            InJvmMember back = cluster.restart(leader);
            try (Client c = Client.builder().endpoints(back.endpoint()).build()) {
                assertEquals("2", get(c, "after"));
            }
        }
    }

    @Test
    void memberRestartedAfterManyWritesCatchesUpBySnapshot() throws Exception {
        try (InJvmCluster cluster = InJvmCluster.start(3, "--snapshot-count", "5000",
                "--experimental-snapshot-catchup-entries", "500")) {
            int leader = cluster.leader();
            int lagging = (leader + 1) % 3;
            cluster.members.get(lagging).stop();
            cluster.members.set(lagging, null);
            int writer = (leader + 2) % 3;
            try (Client c = Client.builder().endpoints(cluster.members.get(writer).endpoint()).build()) {
                var inFlight = new java.util.concurrent.Semaphore(64);
                java.util.List<java.util.concurrent.CompletableFuture<?>> all = new java.util.ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    inFlight.acquire();
                    all.add(c.getKVClient().put(bs("snap/" + (i % 1000)), bs("v" + i)).whenComplete((r, e) -> inFlight.release()));
                }
                java.util.concurrent.CompletableFuture.allOf(all.toArray(new java.util.concurrent.CompletableFuture[0])).get(120, TimeUnit.SECONDS);
            }
            // the log it needs is compacted away: it can only catch up from a snapshot
            InJvmMember back = cluster.restart(lagging);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try (Client c = Client.builder().endpoints(back.endpoint()).build()) {
                String v = null;
                while (System.nanoTime() < deadline) {
                    var got = c.getKVClient().get(bs("snap/999"), io.etcd.jetcd.options.GetOption.builder().withSerializable(true).build())
                        .get(20, TimeUnit.SECONDS).getKvs();
                    v = got.isEmpty() ? null : got.get(0).getValue().toString(StandardCharsets.UTF_8);
                    if ("v19999".equals(v)) break;
                    Thread.sleep(200);
                }
                assertEquals("v19999", v);
                // and then it follows the log again
                c.getKVClient().put(bs("after-snapshot"), bs("ok")).get(20, TimeUnit.SECONDS);
                assertEquals("ok", get(c, "after-snapshot"));
            }
            assertTrue(back.node.server().core().appliedIndex() > 20_000);
            assertTrue(back.node.server().core().snapshotsInstalled() >= 1, "caught up through a snapshot");
        }
    }

    @Test
    void memberAddPromoteRemoveRoundTrip() throws Exception {
        try (InJvmCluster cluster = InJvmCluster.start(3);
             Client c = Client.builder().endpoints(cluster.endpoints().split(",")).build()) {
            c.getKVClient().put(bs("seen-by-learner"), bs("yes")).get(20, TimeUnit.SECONDS);
            int peer = Ports.free();
            int client = Ports.free();
            var added = c.getClusterClient().addMember(List.of(URI.create("http://127.0.0.1:" + peer)), true).get(20, TimeUnit.SECONDS);
            long id = added.getMember().getId();
            assertTrue(added.getMember().isLearner());
            try (InJvmMember learner = InJvmMember.start("m3", TempDirs.create("vetcd-learner"), client, peer,
                cluster.initialCluster + ",m3=http://127.0.0.1:" + peer, "--initial-cluster-state", "existing");
                 Client lc = Client.builder().endpoints(learner.endpoint()).build()) {
                // a learner serves serializable reads of what the cluster has
                var got = lc.getKVClient().get(bs("seen-by-learner"),
                    io.etcd.jetcd.options.GetOption.builder().withSerializable(true).build()).get(20, TimeUnit.SECONDS);
                assertEquals(1, got.getCount());
                var promoted = c.getClusterClient().promoteMember(id).get(20, TimeUnit.SECONDS);
                assertTrue(promoted.getMembers().stream().anyMatch(m -> m.getId() == id && !m.isLearner()));
                var removed = c.getClusterClient().removeMember(id).get(20, TimeUnit.SECONDS);
                assertFalse(removed.getMembers().stream().anyMatch(m -> m.getId() == id));
            }
            assertEquals(3, c.getClusterClient().listMember().get(20, TimeUnit.SECONDS).getMembers().size());
        }
    }

    @Test
    void endpointStatusAgreesAcrossMembers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Cli.available("etcdctl"));
        try (InJvmCluster cluster = InJvmCluster.start(3)) {
            for (int i = 0; i < 20; i++) Cli.etcdctl(cluster.members.get(i % 3).endpoint(), "put", "k" + i, "v" + i);
            Cli.Result status = Cli.etcdctl(cluster.endpoints(), "endpoint", "status", "-w", "json");
            assertEquals(0, status.exitCode(), status.output());
            // exactly one member says it is the leader, and all name the same leader id
            assertEquals(3, status.output().split("\"leader\":").length - 1, status.output());
            Cli.Result hash = Cli.etcdctl(cluster.endpoints(), "endpoint", "hashkv", "-w", "json");
            assertEquals(0, hash.exitCode(), hash.output());
            var hashes = java.util.regex.Pattern.compile("\"hash\":(\\d+)").matcher(hash.output()).results().map(r -> r.group(1)).distinct().toList();
            assertEquals(1, hashes.size(), "hashkv equal on all members: " + hash.output());
        }
    }
}
