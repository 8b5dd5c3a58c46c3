package io.vetcd.server;

import io.vertx.core.Vertx;
import io.vetcd.lease.Lease;
import io.vetcd.lease.Lessor;
import io.vetcd.pb.etcdserver.LeaseRevokeRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's revokeExpiredLeases loop: every 500 ms the primary looks for expired
 * leases and proposes a LeaseRevoke for each, so the revoke (and the deletion
 * of the lease's keys) happens on every member through the log; with lease
 * checkpoints on, the same pass proposes the checkpoints that are due (etcd's
 * runLoop does both). Checking is
 * in-memory and proposing is asynchronous, so the timer may run on an event loop.
 */
public final class LeaseExpiryLoop {
    private static final Logger log = LoggerFactory.getLogger(LeaseExpiryLoop.class);
    static final long INTERVAL_MS = 500;

    private final Vertx vertx;
    private final EtcdServer server;
    private long timer = -1;

    public LeaseExpiryLoop(Vertx vertx, EtcdServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    public synchronized void start() {
        if (timer < 0) timer = vertx.setPeriodic(INTERVAL_MS, id -> {
            revokeExpired();
            server.lessor().checkpointScheduled();
        });
    }

    public synchronized void stop() {
        if (timer >= 0) vertx.cancelTimer(timer);
        timer = -1;
    }

    /** One pass; the lessor re-offers a lease whose revoke got lost after a retry interval. */
    void revokeExpired() {
        // at most half the revoke rate per half second, like etcd
        for (Lease l : server.lessor().findExpired(Lessor.REVOKE_RATE / 2)) {
            server.leases().revoke(server.rootInfo(), LeaseRevokeRequest.newBuilder().setID(l.id()).build())
                .onSuccess(r -> server.metrics().server.leasesExpired.inc())
                .onFailure(e -> {
                if (!(e instanceof EtcdException ee && ee.error() == EtcdError.LEASE_NOT_FOUND)) {
                    log.warn("failed to revoke expired lease {}: {}", Long.toHexString(l.id()), e.getMessage());
                }
            });
        }
    }
}
