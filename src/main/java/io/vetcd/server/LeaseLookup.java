package io.vetcd.server;

/** Whether a lease exists, as the applier needs to know for puts that attach one. */
@FunctionalInterface
public interface LeaseLookup {
    boolean exists(long leaseId);

    /** Until the lessor exists no lease can have been granted, so every id is unknown. */
    LeaseLookup NONE = id -> false;
}
