package io.vetcd.lease;

import io.vetcd.pb.etcdserver.LeaseCheckpointRequest;

import java.util.concurrent.CompletableFuture;

/**
 * Proposes a lease checkpoint through raft (etcd's Checkpointer): the primary records remaining
 * TTLs in the log, so a new leader counts down from them instead of from the full TTL. The
 * future completes when the entry is applied here, or fails if it was not.
 */
@FunctionalInterface
public interface LeaseCheckpointer {
    CompletableFuture<Void> propose(LeaseCheckpointRequest checkpoints);
}
