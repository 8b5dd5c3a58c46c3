package io.vetcd.testing;

import io.vetcd.lease.LeaseClock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** The system's monotonic clock plus an offset a test moves forward: a lease's TTL passes in a moment. */
public final class OffsetLeaseClock implements LeaseClock {
    private final AtomicLong offsetNanos = new AtomicLong();

    @Override
    public long nanoTime() {
        return System.nanoTime() + offsetNanos.get();
    }

    public void advance(Duration d) {
        offsetNanos.addAndGet(d.toNanos());
    }
}
