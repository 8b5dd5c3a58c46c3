package io.vetcd.lease;

/** A monotonic clock in nanoseconds; injected so tests can move time by hand. */
@FunctionalInterface
public interface LeaseClock {
    long nanoTime();

    /** Wall-clock changes (NTP steps, DST) must not expire or extend leases, hence nanoTime. */
    LeaseClock SYSTEM = System::nanoTime;
}
