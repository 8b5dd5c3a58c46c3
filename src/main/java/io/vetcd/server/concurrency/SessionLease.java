package io.vetcd.server.concurrency;

import io.vertx.core.Future;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseGrantResponse;
import io.vetcd.server.EtcdServer;

/**
 * The lease a server-side concurrency session runs on (concurrency.NewSession with WithLease).
 * A request with lease 0 (clientv3.NoLease) makes etcd grant a fresh lease with the session's
 * default TTL of 60 s, which the orphaned session then never renews; we do the same.
 */
final class SessionLease {
    static final long DEFAULT_TTL_SECONDS = 60;

    private SessionLease() {}

    static Future<Long> resolve(EtcdServer server, AuthInfo ai, long lease) {
        if (lease != 0) return Future.succeededFuture(lease);
        return server.leases().grant(ai, LeaseGrantRequest.newBuilder().setTTL(DEFAULT_TTL_SECONDS).build())
            .map(LeaseGrantResponse::getID);
    }
}
