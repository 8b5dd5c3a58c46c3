package io.vetcd.server;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The periodic compactor's sampling and compaction intervals, as etcd 3.4's v3compactor computes them. */
class AutoCompactorIntervalsTest {
    private static final AutoCompactor.Target NONE = new AutoCompactor.Target() {
        @Override public long currentRevision() { return 1; }
        @Override public boolean isLeader() { return true; }
        @Override public Future<?> compact(long revision) { return Future.succeededFuture(); }
    };

    private static AutoCompactor periodic(Duration d) {
        return AutoCompactor.periodic(null, NONE, d);
    }

    @Test
    void subHourRetentionSamplesEveryTenthAndCompactsEveryPeriod() {
        AutoCompactor c = periodic(Duration.ofSeconds(2));
        assertEquals(Duration.ofSeconds(2), c.compactInterval());
        assertEquals(Duration.ofMillis(200), c.retryInterval());
        assertEquals(11, c.retentions());
    }

    @Test
    void longRetentionSamplesEverySixMinutesAndCompactsHourly() {
        AutoCompactor c = periodic(Duration.ofHours(24));
        assertEquals(Duration.ofHours(1), c.compactInterval());
        assertEquals(Duration.ofMinutes(6), c.retryInterval());
        assertEquals(241, c.retentions()); // a sample per 6 min over 24 h, plus the current one
    }
}
