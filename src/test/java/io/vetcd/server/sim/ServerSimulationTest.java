package io.vetcd.server.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Runs the server-layer simulation ({@link ServerSimulation}) over many seeds.
 * <ul>
 *   <li>{@code mvn -B test -Dtest=ServerSimulationTest} runs seeds 1..1000 (the CI run);</li>
 *   <li>{@code -Dvetcd.serversim.seeds=N} runs N seeds, {@code -Dvetcd.serversim.start=S} from seed S;
 *       {@code -Dvetcd.serversim.chaosMillis=M} makes each run's fault phase M virtual ms long;</li>
 *   <li>{@code -Dvetcd.serversim.seed=N} replays one seed and prints its last events on failure.</li>
 * </ul>
 * Seeds run in parallel; each simulation is single-threaded and fully determined by its seed.
 */
class ServerSimulationTest {
    static final long CHAOS_MILLIS = Long.getLong("vetcd.serversim.chaosMillis", 2_000);

    static String replayCommand(long seed) {
        return "mvn -B test -Dtest=ServerSimulationTest#simulateManySeeds -Dsurefire.failIfNoSpecifiedTests=false -Dvetcd.serversim.seed=" + seed;
    }

    @Test
    void aSeedReplaysExactly() {
        for (long seed : new long[] {7, 8}) {
            String a, b;
            try (ServerSimulation s = new ServerSimulation(seed, CHAOS_MILLIS, 0)) {
                s.run();
                a = s.fingerprint();
            }
            try (ServerSimulation s = new ServerSimulation(seed, CHAOS_MILLIS, 0)) {
                s.run();
                b = s.fingerprint();
            }
            assertEquals(a, b, "seed " + seed + " diverged between two runs");
        }
    }

    @Test
    void simulateManySeeds() {
        String one = System.getProperty("vetcd.serversim.seed");
        if (one != null && !one.isBlank()) {
            long seed = Long.parseLong(one.trim());
            try (ServerSimulation sim = new ServerSimulation(seed, CHAOS_MILLIS, 400)) {
                try {
                    sim.run();
                } catch (Throwable t) {
                    System.out.println("seed " + seed + " " + sim.params + "\nlast events:\n" + sim.scheduler.trace());
                    throw t;
                }
                System.out.println("seed " + seed + " ok: " + sim.describe());
            }
            return;
        }
        long seeds = Long.getLong("vetcd.serversim.seeds", 1000);
        long start = Long.getLong("vetcd.serversim.start", 1);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicLong acked = new AtomicLong(), crashes = new AtomicLong(), events = new AtomicLong(), checks = new AtomicLong();
        AtomicLong snapshots = new AtomicLong(), expiries = new AtomicLong(), renewals = new AtomicLong(), reads = new AtomicLong();
        long t0 = System.nanoTime();
        LongStream.range(start, start + seeds).parallel().forEach(seed -> {
            try (ServerSimulation sim = new ServerSimulation(seed, CHAOS_MILLIS, 0)) {
                try {
                    sim.run();
                } finally {
                    acked.addAndGet(sim.invariants.acked.size());
                    crashes.addAndGet(sim.crashes);
                    events.addAndGet(sim.scheduler.executed);
                    checks.addAndGet(sim.invariants.checks);
                    snapshots.addAndGet(sim.network.snapshotsSent);
                    expiries.addAndGet(sim.expiries);
                    renewals.addAndGet(sim.renewals);
                    reads.addAndGet(sim.reads);
                }
            } catch (Throwable t) {
                failures.add(String.format("seed %8d: %s%n    replay: %s", seed, t, replayCommand(seed)));
            }
        });
        System.out.printf("server simulation: %d seeds from %d in %.1f s: %d events, %d invariant checks, %d acknowledged puts,"
                + " %d crashes, %d snapshots sent, %d lease renewals, %d linearizable reads, %d lease expiries%n", seeds, start,
            (System.nanoTime() - t0) / 1e9, events.get(), checks.get(), acked.get(), crashes.get(), snapshots.get(),
            renewals.get(), reads.get(), expiries.get());
        if (!failures.isEmpty()) {
            Collections.sort(failures);
            fail(failures.size() + " of " + seeds + " seeds failed:\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        }
    }
}
