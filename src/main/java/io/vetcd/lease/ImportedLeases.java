package io.vetcd.lease;

import io.vetcd.mvcc.WriteTxn;

/**
 * Stores leases taken over from another store (an etcd data directory) in the lessor's own
 * persistent form, so {@link Lessor#recover()} finds them like any lease it granted.
 */
public final class ImportedLeases {
    private ImportedLeases() {}

    public static void put(WriteTxn txn, long id, long ttlSeconds) {
        LeaseStore.put(txn, id, ttlSeconds);
    }
}
