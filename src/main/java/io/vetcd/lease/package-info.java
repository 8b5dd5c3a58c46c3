/**
 * Leases with etcd 3.4's semantics (lease/lessor.go): a {@link io.vetcd.lease.Lessor}
 * owned by the core thread, an expiry min-heap, and persistence of each lease's
 * id and granted TTL in the MVCC store's meta column, written in the same batch
 * as the raft entry that granted or revoked it.
 *
 * <p>Key attachments are not persisted separately: every stored key already
 * carries its lease id, so at start-up the lessor re-attaches keys by scanning
 * the live key space once, as etcd's mvcc restore does.
 *
 * <p>Expiry is measured on a monotonic clock ({@link io.vetcd.lease.LeaseClock});
 * only the primary (the raft leader) runs expiry, and it revokes through raft.
 */
package io.vetcd.lease;
