package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic cluster simulation over many seeds.
 * <ul>
 *   <li>{@code -Dvetcd.sim.seeds=N} runs seeds [start, start+N) (default 2000); {@code -Dvetcd.sim.start=S} moves the window;</li>
 *   <li>{@code -Dvetcd.sim.seed=N} replays one seed with an event trace.</li>
 * </ul>
 * Seeds run in parallel (each simulation is single-threaded and self-contained).
 */
class SimulationTest {
    static final int CHAOS_TICKS = Integer.getInteger("vetcd.sim.chaosTicks", 300);
    static final int LIVENESS_TICKS = Integer.getInteger("vetcd.sim.livenessTicks", 600);

    static String replayCommand(long seed) {
        return "mvn -B -q test -Dtest=SimulationTest -Dvetcd.sim.seed=" + seed;
    }

    @Test
    void simulateManySeeds() {
        String one = System.getProperty("vetcd.sim.seed");
        if (one != null && !one.isBlank()) {
            long seed = Long.parseLong(one.trim());
            Simulation sim = new Simulation(seed, true);
            try {
                sim.run(CHAOS_TICKS, LIVENESS_TICKS);
            } catch (Throwable t) {
                System.out.println(sim.traceDump());
                throw t;
            }
            System.out.println("seed " + seed + " ok: " + sim.describe() + " writes=" + sim.committedWrites()
                + " reads=" + sim.readsServed + " log=" + sim.maxApplied());
            return;
        }
        long seeds = Long.getLong("vetcd.sim.seeds", 2000);
        long start = Long.getLong("vetcd.sim.start", 1);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicLong writes = new AtomicLong(), reads = new AtomicLong();
        long t0 = System.nanoTime();
        LongStream.range(start, start + seeds).parallel().forEach(seed -> {
            Simulation sim = new Simulation(seed, false);
            try {
                sim.run(CHAOS_TICKS, LIVENESS_TICKS);
                writes.addAndGet(sim.committedWrites());
                reads.addAndGet(sim.readsServed);
            } catch (Throwable t) {
                failures.add("seed " + seed + ": " + t + "\n    replay: " + replayCommand(seed));
            }
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("simulated " + seeds + " seeds in " + ms + " ms; committed writes=" + writes + " reads=" + reads);
        if (!failures.isEmpty()) {
            Collections.sort(failures);
            List<String> shown = failures.subList(0, Math.min(20, failures.size()));
            String msg = failures.size() + " of " + seeds + " seeds failed:\n" + String.join("\n", shown);
            System.out.println(msg);
            fail(msg);
        }
    }
}
