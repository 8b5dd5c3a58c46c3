package io.vetcd.e2e;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.vetcd.testing.TempDirs;
import io.vetcd.testing.Cli;
import io.vetcd.testing.ProcessCluster;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lease checkpoints across a leader kill, 3 members in separate processes (etcd's lessor:
 * Checkpoint, Promote, scheduleCheckpointIfNeeded). A lease is granted with TTL {@code T}; after
 * one checkpoint interval the leader has proposed its remaining TTL; the leader is killed. With
 * {@code --experimental-enable-lease-checkpoint} the new leader counts down from the checkpoint
 * (TimeToLive about {@code T - interval}); without, it restarts the full TTL (about {@code T}).
 *
 * <p>etcd 3.4's interval is a fixed 5 minutes (only etcd's own tests change it), and only leases
 * whose remaining TTL exceeds it are checkpointed. vetcd is run with a 10 s interval through the
 * system property {@code vetcd.lease.checkpoint-interval-ms}; the same scenario against real
 * etcd at 5 minutes runs with {@code -Dvetcd.slow=true}.
 */
class LeaseCheckpointProcessTest {
    static final List<String> TIMING = List.of("--heartbeat-interval", "100", "--election-timeout", "1000");
    static final String CHECKPOINT = "--experimental-enable-lease-checkpoint";

    @Test
    void vetcdNewLeaderCountsDownFromTheCheckpoint() throws Exception {
        List<String> jvm = List.of("-Dvetcd.lease.checkpoint-interval-ms=10000");
        long ttl = remainingAfterLeaderKill(dir -> ProcessCluster.startVetcd(dir, 3, jvm, flags(true)), 30, 10);
        assertTrue(ttl > 0 && ttl <= 30 - 10 + 2, "with checkpoints the new leader keeps the checkpointed remaining TTL: " + ttl);
    }

    @Test
    void vetcdWithoutCheckpointsNewLeaderRestartsTheFullTtl() throws Exception {
        List<String> jvm = List.of("-Dvetcd.lease.checkpoint-interval-ms=10000");
        long ttl = remainingAfterLeaderKill(dir -> ProcessCluster.startVetcd(dir, 3, jvm, flags(false)), 30, 10);
        assertTrue(ttl >= 30 - 2 && ttl <= 30 + 2, "without checkpoints the new leader restarts the full TTL: " + ttl);
    }

    @Test
    void vetcdCheckpointsPersistedSurviveARestartOfEveryMember() throws Exception {
        List<String> jvm = List.of("-Dvetcd.lease.checkpoint-interval-ms=10000");
        List<String> f = new ArrayList<>(flags(true));
        f.add("--experimental-enable-lease-checkpoint-persist");
        Path dir = TempDirs.create("lease-cp-persist");
        try (ProcessCluster c = ProcessCluster.startVetcd(dir, 3, jvm, f)) {
            long id;
            try (Client client = Client.builder().endpoints(c.endpoints().toArray(String[]::new)).build()) {
                id = client.getLeaseClient().grant(30).get(20, TimeUnit.SECONDS).getID();
            }
            Thread.sleep(12_000);
            for (ProcessCluster.Member m : c.members) m.kill9();
            List<Thread> starts = new ArrayList<>();
            for (ProcessCluster.Member m : c.members) {
                Thread t = new Thread(() -> {
                    try {
                        m.start(120);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                t.start();
                starts.add(t);
            }
            for (Thread t : starts) t.join();
            try (Client client = Client.builder().endpoints(c.endpoints().toArray(String[]::new)).build()) {
                long ttl = timeToLive(client, id);
                System.out.println("persisted checkpoint: TimeToLive after restarting every member " + ttl);
                assertTrue(ttl > 0 && ttl <= 30 - 10 + 2, "the persisted checkpoint survives the restart: " + ttl);
            }
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "vetcd.slow", matches = "true")
    void realEtcdAtItsFiveMinuteInterval() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd"), "etcd-server is installed");
        long[] with = new long[1];
        long[] without = new long[1];
        Thread a = new Thread(() -> with[0] = quietly(() -> remainingAfterLeaderKill(
            dir -> ProcessCluster.startEtcd(dir, 3, etcdFlags(true)), 320, 300)));
        Thread b = new Thread(() -> without[0] = quietly(() -> remainingAfterLeaderKill(
            dir -> ProcessCluster.startEtcd(dir, 3, etcdFlags(false)), 320, 300)));
        a.start();
        b.start();
        a.join();
        b.join();
        System.out.println("real etcd: TimeToLive after the leader kill, with checkpoints " + with[0] + ", without " + without[0]);
        assertTrue(with[0] > 0 && with[0] <= 320 - 300 + 2, "etcd with checkpoints: " + with[0]);
        assertTrue(without[0] >= 320 - 2 && without[0] <= 320 + 2, "etcd without checkpoints: " + without[0]);
    }

    /**
     * etcd 3.4.23 with its default capnslog logger panics at start-up (nil zap logger in
     * embed.Config.Validate's "checkpointing is enabled without persistence" warning), so real etcd runs with zap.
     */
    static List<String> etcdFlags(boolean checkpoint) {
        List<String> f = new ArrayList<>(flags(checkpoint));
        f.addAll(List.of("--logger", "zap"));
        return f;
    }

    static List<String> flags(boolean checkpoint) {
        List<String> f = new ArrayList<>(TIMING);
        if (checkpoint) f.add(CHECKPOINT);
        return f;
    }

    interface ClusterStart {
        ProcessCluster start(Path dir) throws Exception;
    }

    interface Run {
        long run() throws Exception;
    }

    static long quietly(Run r) {
        try {
            return r.run();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /**
     * Grants a lease of {@code ttl} seconds, waits one checkpoint interval and 2 s more, kills the
     * leader with SIGKILL, and returns TimeToLive's remaining TTL as the new leader reports it.
     */
    static long remainingAfterLeaderKill(ClusterStart start, long ttl, long intervalSeconds) throws Exception {
        Path dir = TempDirs.create("lease-cp");
        try (ProcessCluster c = start.start(dir)) {
            ProcessCluster.Member leader = leader(c);
            long id;
            try (Client onLeader = Client.builder().endpoints(leader.endpoint()).build()) {
                id = onLeader.getLeaseClient().grant(ttl).get(20, TimeUnit.SECONDS).getID();
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(intervalSeconds) + 2000);
            leader.kill9();
            List<String> survivors = c.members.stream().filter(m -> m != leader).map(ProcessCluster.Member::endpoint).toList();
            try (Client client = Client.builder().endpoints(survivors.toArray(String[]::new)).build()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (leaderOf(client, survivors) == 0 && System.nanoTime() < deadline) Thread.sleep(200);
                long remaining = timeToLive(client, id);
                System.out.printf("%s: TTL %d, interval %d s, TimeToLive after the leader kill %d%n", dir, ttl, intervalSeconds, remaining);
                return remaining;
            }
        }
    }

    static long timeToLive(Client client, long id) throws Exception {
        Exception last = null;
        for (int i = 0; i < 50; i++) {
            try {
                long ttl = client.getLeaseClient().timeToLive(id, LeaseOption.DEFAULT).get(10, TimeUnit.SECONDS).getTTL();
                // a leader that has not yet applied its term's first entry still has every lease at "forever" (so has etcd's)
                if (ttl < 1_000_000) return ttl;
                Thread.sleep(200);
                continue;
            } catch (Exception e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw last != null ? last : new IllegalStateException("TimeToLive kept answering forever");
    }

    static ProcessCluster.Member leader(ProcessCluster c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (ProcessCluster.Member m : c.members) {
                try (Client client = Client.builder().endpoints(m.endpoint()).build()) {
                    StatusResponse s = client.getMaintenanceClient().statusMember(m.endpoint()).get(5, TimeUnit.SECONDS);
                    if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) return m;
                } catch (Exception e) {
                    // not ready yet
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no leader");
    }

    static long leaderOf(Client client, List<String> endpoints) {
        for (String ep : endpoints) {
            try {
                StatusResponse s = client.getMaintenanceClient().statusMember(ep).get(5, TimeUnit.SECONDS);
                if (s.getLeader() != 0) return s.getLeader();
            } catch (Exception e) {
                // try the next one
            }
        }
        return 0;
    }
}
