package io.vetcd.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.vetcd.testing.TempDirs;
import io.vetcd.testing.ProcessCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A slow or dead peer never blocks the others: with one follower's process
 * stopped (SIGSTOP), writes through the leader keep completing at about the
 * rate they had with all three members up, and the follower catches up after SIGCONT.
 */
class SlowPeerTest {
    private static final ByteSequence VALUE = ByteSequence.from(new byte[4096]);

    /** Puts for a while with a fixed number in flight; writes per second. */
    private static double putRate(Client c, String prefix, long millis) throws Exception {
        Semaphore inFlight = new Semaphore(32);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
        int i = 0;
        while (System.nanoTime() < end) {
            if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
            c.getKVClient().put(ByteSequence.from(prefix + (i++ % 500), StandardCharsets.UTF_8), VALUE)
                .orTimeout(10, TimeUnit.SECONDS)
                .whenComplete((r, e) -> {
                    (e == null ? done : failed).incrementAndGet();
                    inFlight.release();
                });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        inFlight.acquire(32); // bounded: every put times out after 10 s
        assertEquals(0, failed.get(), "failed puts");
        return done.get() / seconds;
    }

    @Test
    void writesKeepTheirRateWhileAFollowerIsStopped() throws Exception {
        Path root = TempDirs.create("vetcd-slow-peer");
        try (ProcessCluster cluster = ProcessCluster.start(root, 3, List.of())) {
            ProcessCluster.Member leader = null;
            try (Client any = Client.builder().endpoints(cluster.endpoints().toArray(String[]::new)).build()) {
                for (int tries = 0; tries < 100 && leader == null; tries++) {
                    for (ProcessCluster.Member m : cluster.members) {
                        var st = any.getMaintenanceClient().statusMember(m.endpoint()).get(10, TimeUnit.SECONDS);
                        if (st.getLeader() != 0 && st.getLeader() == st.getHeader().getMemberId()) leader = m;
                    }
                    if (leader == null) Thread.sleep(100);
                }
            }
            assertTrue(leader != null, "a leader");
            final ProcessCluster.Member l = leader;
            ProcessCluster.Member stopped = cluster.members.stream().filter(m -> m != l).findFirst().orElseThrow();
            try (Client c = Client.builder().endpoints(leader.endpoint()).build()) {
                putRate(c, "warm/", 3000);
                double normal = putRate(c, "all-up/", 4000);
                stopped.pause();
                double oneStopped;
                try {
                    // longer than the 5 s read timeout, so the leader also gives up the silent follower's streams
                    oneStopped = putRate(c, "one-stopped/", 8000);
                } finally {
                    stopped.resume();
                }
                System.out.printf("puts/s with all members up %.0f, with one follower stopped %.0f%n", normal, oneStopped);
                // a quorum of two is as fast as three; half is a generous margin for a shared machine
                assertTrue(oneStopped >= 0.5 * normal, "rate " + oneStopped + " with a follower stopped vs " + normal);
                c.getKVClient().put(ByteSequence.from("last", StandardCharsets.UTF_8), VALUE).get(20, TimeUnit.SECONDS);
            }
            // and the stopped follower catches up once it runs again
            try (Client f = Client.builder().endpoints(stopped.endpoint()).build()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long count = 0;
                while (System.nanoTime() < deadline) {
                    count = f.getKVClient().get(ByteSequence.from("last", StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS).getCount();
                    if (count == 1) break;
                    Thread.sleep(200);
                }
                assertEquals(1, count);
            }
            String leaderLog = Files.readString(root.resolve(leader.name + ".log"));
            System.out.println("leader log, stream lines:");
            leaderLog.lines().filter(s -> s.contains("stream") || s.contains("keeping up") || s.contains("caught up"))
                .limit(40).forEach(System.out::println);
        }
    }
}
