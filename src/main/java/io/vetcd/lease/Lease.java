package io.vetcd.lease;

import com.google.protobuf.ByteString;

import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * One granted lease: its id, its granted TTL, when it expires on the
 * primary, and the keys attached to it. Keys are changed only by the core
 * thread but read by API threads, hence the concurrent set; the expiry is
 * guarded by the {@link Lessor}.
 */
public final class Lease {
    /** Expiry of a lease on a non-primary member: followers never expire leases. */
    static final long FOREVER = Long.MAX_VALUE;

    private final long id;
    private final long ttlSeconds;
    private final NavigableSet<ByteString> keys =
        new ConcurrentSkipListSet<>(ByteString.unsignedLexicographicalComparator());
    /** Completed when the revoke is applied, so a renew of an expired lease can wait for it. */
    private final CompletableFuture<Void> revoked = new CompletableFuture<>();
    private volatile long expiryNanos = FOREVER;
    /** The last checkpointed remaining TTL in seconds; 0 when unset (the full TTL applies). */
    private volatile long checkpointedSeconds;

    Lease(long id, long ttlSeconds) {
        this(id, ttlSeconds, 0);
    }

    Lease(long id, long ttlSeconds, long checkpointedSeconds) {
        this.id = id;
        this.ttlSeconds = ttlSeconds;
        this.checkpointedSeconds = checkpointedSeconds;
    }

    public long id() { return id; }

    /** The TTL the lease was granted with (after raising it to the minimum). */
    public long ttlSeconds() { return ttlSeconds; }

    public long expiryNanos() { return expiryNanos; }

    /** What a new primary counts down from: the checkpointed remaining TTL, else the granted TTL (etcd's RemainingTTL). */
    public long remainingTtlSeconds() {
        long c = checkpointedSeconds;
        return c > 0 ? c : ttlSeconds;
    }

    /** The checkpointed remaining TTL as applied (0: none). */
    long checkpointedSeconds() { return checkpointedSeconds; }

    void checkpointed(long remainingSeconds) { this.checkpointedSeconds = remainingSeconds; }

    /** Attached keys in key order (revoke deletes them in this order, like etcd). */
    public List<ByteString> keys() { return List.copyOf(keys); }

    public CompletableFuture<Void> revokedFuture() { return revoked; }

    /** Remaining time, or {@link Long#MAX_VALUE} when the lease never expires here. */
    public long remainingNanos(long now) {
        long e = expiryNanos;
        return e == FOREVER ? Long.MAX_VALUE : e - now;
    }

    /** etcd reports remaining seconds truncated toward zero. */
    public long remainingSeconds(long now) {
        long r = remainingNanos(now);
        return r == Long.MAX_VALUE ? Long.MAX_VALUE / 1_000_000_000L : r / 1_000_000_000L;
    }

    boolean expired(long now) { return remainingNanos(now) <= 0; }

    void refresh(long now, long extendNanos) {
        expiryNanos = now + extendNanos + remainingTtlSeconds() * 1_000_000_000L;
    }

    void forever() { expiryNanos = FOREVER; }

    void attach(ByteString key) { keys.add(key); }

    void detach(ByteString key) { keys.remove(key); }

    void markRevoked() { revoked.complete(null); }
}
