package io.vetcd.lease;

import com.google.protobuf.ByteString;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.mvcc.WriteTxn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * etcd's lessor. Grant, revoke, attach and detach change state and are called
 * only from the apply path (the core thread), in log order, so every member
 * ends with the same leases. Expiry is local and only on the primary (raft
 * leader): it renews, finds expired leases and has them revoked through raft;
 * a non-primary keeps every lease forever.
 *
 * <p>Reads (lookup, leases, remaining TTL) come from any thread: the lease
 * map is concurrent and a lease's keys are a concurrent set. The expiry heap
 * and expiries change under this object's monitor, held only for in-memory
 * work, never across I/O.
 */
public final class Lessor {
    private volatile io.vetcd.metrics.LeaseMetrics metrics = io.vetcd.metrics.LeaseMetrics.DETACHED;
    private static final Logger log = LoggerFactory.getLogger(Lessor.class);

    /** etcd's MaxLeaseTTL: larger TTLs are refused (about 285 years). */
    public static final long MAX_LEASE_TTL = 9_000_000_000L;
    /** etcd's leaseRevokeRate: expired leases revoked per second at most. */
    public static final int REVOKE_RATE = 1000;
    /** An expired lease whose revoke did not go through is offered again after this. */
    static final long EXPIRED_RETRY_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** etcd's defaultLeaseCheckpointInterval. */
    public static final long DEFAULT_CHECKPOINT_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(5);
    /** etcd's maxLeaseCheckpointBatchSize: checkpoints per log entry. */
    public static final int MAX_CHECKPOINT_BATCH = 1000;
    /** etcd's leaseCheckpointRate: checkpoints proposed per second at most. */
    public static final int CHECKPOINT_RATE = 1000;

    private final MvccStore store;
    private final LeaseClock clock;
    private final long minTtlSeconds;
    private final ConcurrentHashMap<Long, Lease> leases = new ConcurrentHashMap<>();
    private final LeaseExpiryQueue queue = new LeaseExpiryQueue();
    /** When each lease is next due for a checkpoint (etcd's leaseCheckpointHeap); primary only. */
    private final LeaseExpiryQueue checkpointsDue = new LeaseExpiryQueue();
    /** Set when --experimental-enable-lease-checkpoint is on; null otherwise. */
    private volatile LeaseCheckpointer checkpointer;
    private volatile long checkpointIntervalNanos = DEFAULT_CHECKPOINT_INTERVAL_NANOS;
    private volatile boolean persistCheckpoints;
    private volatile boolean primary;
    /** Completed on demotion, so renewals waiting for an expired lease's revoke give up. */
    private CompletableFuture<Void> demoted = new CompletableFuture<>();

    public Lessor(MvccStore store, LeaseClock clock, long minTtlSeconds) {
        this.store = store;
        this.clock = clock;
        this.minTtlSeconds = minTtlSeconds;
    }

    /**
     * Loads persisted leases (never expiring until promotion, as in etcd) and
     * re-attaches every live key that names one. Call before replaying the log.
     */
    public void recover() {
        leases.clear();
        LeaseStore.forEachStored(store, s -> leases.put(s.id(),
            new Lease(s.id(), Math.max(s.ttlSeconds(), minTtlSeconds), s.remainingSeconds())));
        if (leases.isEmpty()) {
            // nothing to attach to: the pass over every live key (0.3-0.8 s on a busy machine at 90k
            // keys, before the member can answer) would only find keys naming leases that are gone
            log.info("recovered 0 leases");
            return;
        }
        LeaseStore.forEachLeasedKey(store, (id, key) -> {
            Lease l = leases.get(id);
            if (l != null) l.attach(key);
            else log.warn("key {} names lease {} which does not exist", key.toStringUtf8(), Long.toHexString(id));
        });
        log.info("recovered {} leases", leases.size());
    }

    public long minTtlSeconds() { return minTtlSeconds; }

    /**
     * Turns lease checkpoints on (etcd's SetCheckpointer): the primary proposes the remaining TTL
     * of each lease whose remaining TTL exceeds the interval, once per interval. With
     * {@code persist}, applied checkpoints are also written to the backend, so they survive a
     * restart of every member. Call before the member serves.
     */
    public void enableCheckpoints(LeaseCheckpointer cp, long intervalNanos, boolean persist) {
        this.checkpointIntervalNanos = intervalNanos > 0 ? intervalNanos : DEFAULT_CHECKPOINT_INTERVAL_NANOS;
        this.persistCheckpoints = persist;
        this.checkpointer = cp;
    }

    public boolean checkpointsEnabled() { return checkpointer != null; }

    /** Where grants, revokes, renewals and TTLs are counted. */
    public void metrics(io.vetcd.metrics.LeaseMetrics m) { this.metrics = m; }

    public boolean isPrimary() { return primary; }

    public long now() { return clock.nanoTime(); }

    // ---- apply path (core thread) ----

    /**
     * Grants lease {@code id} with the given TTL, raised to the minimum, and
     * persists it with consistent index {@code index}.
     */
    public Lease grant(long id, long ttlSeconds, long index) {
        if (id == 0) throw new LeaseException(LeaseException.Reason.NOT_FOUND);
        if (ttlSeconds > MAX_LEASE_TTL) throw new LeaseException(LeaseException.Reason.TTL_TOO_LARGE);
        if (leases.containsKey(id)) throw new LeaseException(LeaseException.Reason.EXISTS);
        Lease l = new Lease(id, Math.max(ttlSeconds, minTtlSeconds));
        WriteTxn txn = store.beginWrite();
        try {
            LeaseStore.put(txn, id, l.ttlSeconds());
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
        txn.commit(index);
        metrics.granted.inc();
        metrics.ttl.observe(l.ttlSeconds());
        synchronized (this) {
            if (primary) {
                l.refresh(clock.nanoTime(), 0);
                queue.upsert(id, l.expiryNanos());
                scheduleCheckpointIfNeeded(l);
            }
            leases.put(id, l);
        }
        return l;
    }

    /**
     * Revokes lease {@code id}: deletes its keys (in key order) and the lease
     * in ONE write transaction, so watchers see all deletes at one revision.
     * Returns the store's revision after the revoke.
     */
    public long revoke(long id, long index) {
        Lease l = leases.get(id);
        if (l == null) throw new LeaseException(LeaseException.Reason.NOT_FOUND);
        WriteTxn txn = store.beginWrite();
        long rev;
        try {
            for (ByteString key : l.keys()) txn.deleteRange(key, ByteString.EMPTY);
            LeaseStore.delete(txn, id);
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
        rev = txn.commit(index);
        synchronized (this) {
            leases.remove(id);
            queue.remove(id);
            checkpointsDue.remove(id);
        }
        l.markRevoked();
        metrics.revoked.inc();
        return rev;
    }

    /**
     * Applies one checkpoint entry (etcd's Checkpoint for each lease in it): only the remaining
     * TTL is recorded, a new primary counts down from it; expiries here do not change. Unknown
     * ids are ignored. Commits {@code index} whether or not anything is persisted.
     */
    public void checkpoint(List<io.vetcd.pb.etcdserver.LeaseCheckpoint> checkpoints, long index) {
        List<Lease> touched = new ArrayList<>();
        WriteTxn txn = store.beginWrite();
        try {
            for (io.vetcd.pb.etcdserver.LeaseCheckpoint c : checkpoints) {
                Lease l = leases.get(c.getID());
                if (l == null) continue;
                l.checkpointed(c.getRemainingTTL());
                if (persistCheckpoints) LeaseStore.put(txn, l.id(), l.ttlSeconds(), c.getRemainingTTL());
                touched.add(l);
            }
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
        txn.commit(index);
        synchronized (this) {
            if (!primary) return;
            for (Lease l : touched) if (leases.containsKey(l.id())) scheduleCheckpointIfNeeded(l);
        }
    }

    /** Records that {@code key} now carries lease {@code id}; unknown ids are ignored. */
    public void attach(long id, ByteString key) {
        Lease l = leases.get(id);
        if (l != null) l.attach(key);
    }

    /** Records that {@code key} no longer carries lease {@code id}. */
    public void detach(long id, ByteString key) {
        Lease l = leases.get(id);
        if (l != null) l.detach(key);
    }

    // ---- reads (any thread) ----

    public boolean exists(long id) { return leases.containsKey(id); }

    /** The lease, or null; an expired lease stays visible until its revoke is applied. */
    public Lease lookup(long id) { return leases.get(id); }

    /** Every lease, soonest expiry first (etcd's order). */
    public List<Lease> leases() {
        // sort on a snapshot of the expiries: a renew during the sort must not break the comparator's contract
        record Snap(Lease lease, long expiry) { }
        List<Snap> snaps = new ArrayList<>(leases.size());
        for (Lease l : leases.values()) snaps.add(new Snap(l, l.expiryNanos()));
        snaps.sort(Comparator.comparingLong(Snap::expiry));
        List<Lease> out = new ArrayList<>(snaps.size());
        for (Snap s : snaps) out.add(s.lease());
        return out;
    }

    // ---- primary only ----

    /**
     * Becomes primary: every lease's expiry restarts at now + TTL + extend,
     * so nothing expires because of the election or the restart; then
     * expiries that would pile up beyond the revoke rate are spread out.
     */
    public synchronized void promote(long extendNanos) {
        primary = true;
        demoted = new CompletableFuture<>();
        long now = clock.nanoTime();
        for (Lease l : leases.values()) {
            l.refresh(now, extendNanos);
            queue.upsert(l.id(), l.expiryNanos());
            scheduleCheckpointIfNeeded(l);
        }
        if (leases.size() >= REVOKE_RATE) spreadExpiries(now, extendNanos);
    }

    /** etcd's Promote pile-up adjustment: at most 3/4 of the revoke rate expire in any one-second window. */
    private void spreadExpiries(long now, long extendNanos) {
        List<Lease> sorted = leases();
        long second = TimeUnit.SECONDS.toNanos(1);
        long baseWindow = sorted.get(0).remainingNanos(now);
        long nextWindow = baseWindow + second;
        int expires = 0;
        int target = (3 * REVOKE_RATE) / 4;
        for (Lease l : sorted) {
            long remaining = l.remainingNanos(now);
            if (remaining > nextWindow) {
                baseWindow = remaining;
                nextWindow = baseWindow + second;
                expires = 1;
                continue;
            }
            expires++;
            if (expires <= target) continue;
            long delay = (long) (second * ((double) expires / target)) - (remaining - baseWindow);
            nextWindow = baseWindow + delay;
            l.refresh(now, delay + extendNanos);
            queue.upsert(l.id(), l.expiryNanos());
            scheduleCheckpointIfNeeded(l);
        }
    }

    /** Stops being primary: leases never expire here until the next promotion. */
    public synchronized void demote() {
        primary = false;
        for (Lease l : leases.values()) l.forever();
        queue.clear();
        checkpointsDue.clear();
        demoted.complete(null);
    }

    /**
     * Renews lease {@code id} to now + TTL and returns the TTL. An expired
     * lease is not revived: the result waits for its revoke and then fails
     * with NOT_FOUND, as etcd's Renew does.
     */
    public CompletableFuture<Long> renew(long id) {
        CompletableFuture<Void> demotedNow;
        Lease l;
        synchronized (this) {
            if (!primary) return CompletableFuture.failedFuture(new LeaseException(LeaseException.Reason.NOT_PRIMARY));
            l = leases.get(id);
            if (l == null) return CompletableFuture.failedFuture(new LeaseException(LeaseException.Reason.NOT_FOUND));
            long now = clock.nanoTime();
            if (!l.expired(now)) {
                LeaseCheckpointer cp = checkpointer;
                if (cp != null && l.checkpointedSeconds() > 0) {
                    // etcd clears the checkpoint through raft first, so the renewal counts from the full TTL
                    // (at most two checkpoint entries per lease and interval); a failed clear still renews
                    return cp.propose(clearCheckpoint(id)).handle((v, e) -> refreshRenewed(l));
                }
                return CompletableFuture.completedFuture(refreshRenewed(l));
            }
            demotedNow = demoted;
        }
        CompletableFuture<Long> out = new CompletableFuture<>();
        l.revokedFuture().thenRun(() -> out.completeExceptionally(new LeaseException(LeaseException.Reason.NOT_FOUND)));
        demotedNow.thenRun(() -> out.completeExceptionally(new LeaseException(LeaseException.Reason.NOT_PRIMARY)));
        return out;
    }

    private synchronized long refreshRenewed(Lease l) {
        l.refresh(clock.nanoTime(), 0);
        if (primary && leases.containsKey(l.id())) queue.upsert(l.id(), l.expiryNanos());
        metrics.renewed.inc();
        return l.ttlSeconds();
    }

    private static io.vetcd.pb.etcdserver.LeaseCheckpointRequest clearCheckpoint(long id) {
        return io.vetcd.pb.etcdserver.LeaseCheckpointRequest.newBuilder()
            .addCheckpoints(io.vetcd.pb.etcdserver.LeaseCheckpoint.newBuilder().setID(id).setRemainingTTL(0)).build();
    }

    /** etcd's scheduleCheckpointIfNeeded: only a lease with more than one interval to go is checkpointed. */
    private void scheduleCheckpointIfNeeded(Lease l) {
        if (checkpointer == null) return;
        if (l.remainingTtlSeconds() > TimeUnit.NANOSECONDS.toSeconds(checkpointIntervalNanos)) {
            checkpointsDue.upsert(l.id(), clock.nanoTime() + checkpointIntervalNanos);
        }
    }

    /**
     * etcd's findDueScheduledCheckpoints: up to {@code limit} checkpoints that are due, each with
     * the remaining TTL rounded up to whole seconds; a lease already expired, or with its full
     * TTL still to go, is skipped. Primary only.
     */
    public synchronized List<io.vetcd.pb.etcdserver.LeaseCheckpoint> findDueCheckpoints(int limit) {
        List<io.vetcd.pb.etcdserver.LeaseCheckpoint> out = new ArrayList<>();
        if (!primary || checkpointer == null) return out;
        long now = clock.nanoTime();
        while (!checkpointsDue.isEmpty() && out.size() < limit) {
            if (checkpointsDue.peekExpiry() > now) break;
            long id = checkpointsDue.peekId();
            checkpointsDue.remove(id);
            Lease l = leases.get(id);
            if (l == null) continue;
            long left = l.remainingNanos(now);
            if (left <= 0) continue;
            long remaining = (left + 999_999_999L) / 1_000_000_000L;
            if (remaining >= l.ttlSeconds()) continue;
            out.add(io.vetcd.pb.etcdserver.LeaseCheckpoint.newBuilder().setID(id).setRemainingTTL(remaining).build());
        }
        return out;
    }

    /** Proposes every due checkpoint, in batches, at most half the checkpoint rate per call (etcd's checkpointScheduledLeases). */
    public void checkpointScheduled() {
        LeaseCheckpointer cp = checkpointer;
        if (cp == null) return;
        for (int i = 0; i < CHECKPOINT_RATE / 2; i++) {
            List<io.vetcd.pb.etcdserver.LeaseCheckpoint> due = findDueCheckpoints(MAX_CHECKPOINT_BATCH);
            if (!due.isEmpty()) {
                cp.propose(io.vetcd.pb.etcdserver.LeaseCheckpointRequest.newBuilder().addAllCheckpoints(due).build())
                    .whenComplete((v, e) -> {
                        if (e != null) log.debug("lease checkpoint not applied: {}", e.toString());
                    });
            }
            if (due.size() < MAX_CHECKPOINT_BATCH) return;
        }
    }

    /**
     * Up to {@code limit} leases past their expiry, to be revoked through
     * raft. Each is offered again after a retry interval if its revoke does
     * not arrive (etcd's findExpiredLeases).
     */
    public synchronized List<Lease> findExpired(int limit) {
        List<Lease> out = new ArrayList<>();
        if (!primary) return out;
        long now = clock.nanoTime();
        while (!queue.isEmpty() && out.size() < limit) {
            long id = queue.peekId();
            Lease l = leases.get(id);
            if (l == null) {
                queue.remove(id);
                continue;
            }
            if (now < queue.peekExpiry()) break;
            queue.upsert(id, now + EXPIRED_RETRY_NANOS);
            if (l.expired(now)) out.add(l);
        }
        return out;
    }
}
