package io.vetcd.server;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Read-index contexts: the leader keeps waiting requests by context alone, so contexts must differ
 * between the members of a cluster and between a member's runs (an answer to a previous run's request
 * must not be taken for a new one's).
 */
class ReadContextTest {
    @Test
    void membersStartedAtTheSameInstantDrawFromDisjointRanges() {
        long now = TimeUnit.SECONDS.toNanos(12_345);
        long[] members = {0x8e9e05c52164694dL, 0x91bc3c398fb3c146L, 0xfd422379fda50e48L};
        Set<Long> seen = new HashSet<>();
        for (long m : members) {
            long first = ReadIndexRounds.firstContext(m, now);
            // a million read rounds each: none collides with another member's
            for (long i = 0; i < 1_000_000; i += 997) assertTrue(seen.add(first + i), "collision at round " + i);
        }
    }

    @Test
    void aRestartedMemberStartsPastEveryContextItsPreviousRunUsed() {
        long member = 0x8e9e05c52164694dL;
        long firstRun = ReadIndexRounds.firstContext(member, TimeUnit.SECONDS.toNanos(100));
        // the previous run asked one read index per 20 us for 10 s (a read round takes longer than that)
        long lastOfFirstRun = firstRun + TimeUnit.SECONDS.toMicros(10) / 20;
        long secondRun = ReadIndexRounds.firstContext(member, TimeUnit.SECONDS.toNanos(111));
        assertTrue(Long.compareUnsigned(secondRun, lastOfFirstRun) > 0);
    }
}
