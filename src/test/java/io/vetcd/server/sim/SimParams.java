package io.vetcd.server.sim;

import java.util.SplittableRandom;

/**
 * The shape of one simulated run, drawn from its seed: cluster size, raft timing, WAL segment size
 * (small, so segments roll and are released), how often the log is compacted (so restarts start from
 * snapshot markers and lagging members get snapshots), and how hostile the network and the faults are.
 */
record SimParams(int members, long tickMillis, int electionTicks, boolean preVote, long walSegmentBytes,
                 boolean preallocateWal, long snapshotCount, long catchUpEntries, double tornTailChance,
                 double dropRate, double duplicateRate, long maxDelayNanos, long chaosNanos,
                 long meanFaultGapNanos, long meanClientGapNanos) {

    static SimParams draw(SplittableRandom rng, long chaosMillis) {
        int members = rng.nextInt(4) == 0 ? 5 : 3;
        long snapshotCount = rng.nextInt(3) == 0 ? Long.MAX_VALUE : 20 + rng.nextInt(100);
        return new SimParams(members, 100, 10, rng.nextBoolean(), 4096L << rng.nextInt(4), rng.nextBoolean(),
            snapshotCount, 5 + rng.nextInt(40), rng.nextDouble() * 0.5,
            rng.nextDouble() * 0.1, rng.nextDouble() * 0.05, 1_000_000L + rng.nextLong(20_000_000L),
            chaosMillis * 1_000_000L, 400_000_000L + rng.nextLong(1_600_000_000L), 2_000_000L + rng.nextLong(20_000_000L));
    }
}
