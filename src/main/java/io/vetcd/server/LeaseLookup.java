package io.vetcd.server;

import com.google.protobuf.ByteString;

/**
 * The applier's view of the lessor: whether a lease exists (puts that name an
 * unknown lease fail), and which keys a lease holds, told after each applied
 * write so revoke knows what to delete.
 */
public interface LeaseLookup {
    boolean exists(long leaseId);

    /** {@code key} now carries {@code leaseId}; called after the write is committed. */
    default void attach(long leaseId, ByteString key) { }

    /** {@code key} no longer carries {@code leaseId} (overwritten with another lease, or deleted). */
    default void detach(long leaseId, ByteString key) { }

    /** Until the lessor exists no lease can have been granted, so every id is unknown. */
    LeaseLookup NONE = id -> false;
}
