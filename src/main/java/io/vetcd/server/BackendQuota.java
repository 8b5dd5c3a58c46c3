package io.vetcd.server;

import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.TxnRequest;

/**
 * etcd's backend quota ({@code --quota-backend-bytes}): a write that would take the backend past
 * the quota is refused and raises the NOSPACE alarm. 0 means etcd's default of 2 GiB, a negative
 * value turns the quota off. Costs are etcd's estimates, so the same requests trip it at about the
 * same size: a put is its key and value plus 256 bytes, a lease 64 bytes, a txn its larger branch.
 */
public final class BackendQuota {
    public static final long DEFAULT_BYTES = 2L * 1024 * 1024 * 1024;
    public static final long MAX_BYTES = 8L * 1024 * 1024 * 1024;
    static final int KV_OVERHEAD = 256;
    static final int LEASE_OVERHEAD = 64;

    /** Far from the quota a size up to this old is good enough; near it, the size is read every time. */
    private static final long SIZE_MAX_AGE_NANOS = 100_000_000L;

    private final MvccStore store;
    private final long limit;
    private volatile long cachedSize = -1;
    private volatile long cachedAt;

    public BackendQuota(MvccStore store, long quotaBackendBytes) {
        this.store = store;
        this.limit = quotaBackendBytes < 0 ? -1 : quotaBackendBytes == 0 ? DEFAULT_BYTES : quotaBackendBytes;
    }

    /** The effective quota in bytes, or -1 when off. */
    public long limit() {
        return limit;
    }

    /** Whether a write of this cost still fits (a cost of 0 always does, as in etcd). */
    public boolean available(long cost) {
        if (limit < 0 || cost == 0) return true;
        long size = cachedSize;
        long now = System.nanoTime();
        // reading the size costs a few native calls: skip it for writes that are nowhere near the quota
        if (size < 0 || now - cachedAt > SIZE_MAX_AGE_NANOS || size + cost >= limit - limit / 10) {
            size = store.dbSize();
            cachedSize = size;
            cachedAt = now;
        }
        return size + cost < limit;
    }

    public static long cost(PutRequest r) {
        return KV_OVERHEAD + r.getKey().size() + r.getValue().size();
    }

    public static long cost(TxnRequest r) {
        return Math.max(branchCost(r.getSuccessList()), branchCost(r.getFailureList()));
    }

    public static long leaseCost() {
        return LEASE_OVERHEAD;
    }

    private static long branchCost(java.util.List<RequestOp> ops) {
        long sum = 0;
        for (RequestOp op : ops) if (op.hasRequestPut()) sum += cost(op.getRequestPut());
        return sum;
    }
}
