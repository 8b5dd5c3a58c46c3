package io.vetcd.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vetcd.auth.AuthInfo;
import io.vetcd.lease.Lease;
import io.vetcd.lease.LeaseException;
import io.vetcd.lease.Lessor;
import io.vetcd.pb.etcdserver.LeaseCheckpointRequest;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseGrantResponse;
import io.vetcd.pb.etcdserver.LeaseLeasesResponse;
import io.vetcd.pb.etcdserver.LeaseRevokeRequest;
import io.vetcd.pb.etcdserver.LeaseRevokeResponse;
import io.vetcd.pb.etcdserver.LeaseStatus;
import io.vetcd.pb.etcdserver.LeaseTimeToLiveRequest;
import io.vetcd.pb.etcdserver.LeaseTimeToLiveResponse;
import io.vetcd.pb.internal.InternalRaftRequest;

import java.util.concurrent.CompletionException;

import static io.vetcd.server.EtcdServer.allowed;

/**
 * The request side of leases, as etcd's server runs it: grants, revokes and checkpoints go through
 * raft (the proposer picks a granted lease's id, so every member applies the same one); keep-alives
 * and TimeToLive are answered by the leader, which alone knows the remaining TTLs, so a follower
 * forwards them over the peer routes ({@link Forwarder}). The apply side is {@link LeaseApplier}.
 */
public final class LeaseRequests {
    private final Vertx vertx;
    private final EtcdServer server;
    private final Lessor lessor;
    private final IdGenerator ids;
    private volatile Forwarder forwarder;

    LeaseRequests(Vertx vertx, EtcdServer server, Lessor lessor, IdGenerator ids) {
        this.vertx = vertx;
        this.server = server;
        this.lessor = lessor;
        this.ids = ids;
    }

    /** How a follower reaches the leader for lease work only the leader can do (peer routes /leases*). */
    public interface Forwarder {
        Future<Long> renew(Member leader, long id);

        Future<LeaseTimeToLiveResponse> timeToLive(Member leader, LeaseTimeToLiveRequest r);
    }

    public void forwarder(Forwarder f) { this.forwarder = f; }

    public Future<LeaseGrantResponse> grant(AuthInfo ai, LeaseGrantRequest r) {
        // the proposer picks the id, so every member applies the same one
        if (r.getID() == 0) r = r.toBuilder().setID(ids.nextLeaseId()).build();
        InternalRaftRequest.Builder req = InternalRaftRequest.newBuilder().setLeaseGrant(r);
        return allowed(() -> server.auth().checkAuthenticated(ai))
            .compose(v -> server.withinQuota(BackendQuota.leaseCost())).compose(v -> server.propose(ai, req));
    }

    public Future<LeaseRevokeResponse> revoke(AuthInfo ai, LeaseRevokeRequest r) {
        return allowed(() -> server.auth().checkAuthenticated(ai))
            .compose(v -> server.propose(ai, InternalRaftRequest.newBuilder().setLeaseRevoke(r)));
    }

    /** Proposes lease checkpoints (the lessor's checkpointer); completes when applied here. */
    public Future<Void> checkpoint(LeaseCheckpointRequest r) {
        return server.proposeRaw(AuthInfo.NONE, InternalRaftRequest.newBuilder().setLeaseCheckpoint(r)).mapEmpty();
    }

    /** The leader to forward to, or null when this member should answer itself. */
    private Member leaderToForwardTo() {
        ServerCore c = server.core();
        if (c == null || c.isLeader() || forwarder == null) return null;
        return server.membership().get(c.leaderId());
    }

    /** A keep-alive: with auth on, the caller must be able to write every key of the lease (etcd 3.4.45). */
    public Future<Long> renew(AuthInfo ai, long id) {
        Future<Void> ok = allowed(() -> {
            if (!server.auth().enabled()) return;
            server.auth().checkAuthenticated(ai);
            server.authApplier().checkLeaseKeys(ai, id);
        });
        if (ok.failed()) return Future.failedFuture(ok.cause());
        Member leader = leaderToForwardTo();
        if (leader != null) return forwarder.renew(leader, id);
        return renewHere(id);
    }

    /** The leader's side of a keep-alive. */
    public Future<Long> renewHere(long id) {
        return server.readBarrier().compose(v -> Future.fromCompletionStage(lessor.renew(id), vertx.getOrCreateContext()))
            .recover(e -> Future.failedFuture(error(e)));
    }

    /** Remaining and granted TTL; fails with LEASE_NOT_FOUND for an unknown id (the API answers TTL -1). */
    public Future<LeaseTimeToLiveResponse> timeToLive(AuthInfo ai, LeaseTimeToLiveRequest r) {
        // the keys of a lease are not for everyone's eyes (etcd 3.4.45: read permission on each, or admin)
        Future<Void> ok = allowed(() -> {
            server.auth().checkAuthenticated(ai);
            if (r.getKeys() && server.auth().enabled()) server.authApplier().checkLeaseKeysReadable(ai, r.getID());
        });
        if (ok.failed()) return Future.failedFuture(ok.cause());
        Member leader = leaderToForwardTo();
        if (leader != null) return forwarder.timeToLive(leader, r).map(resp -> resp.toBuilder().setHeader(server.header()).build());
        return timeToLiveHere(r);
    }

    /** The leader's side of TimeToLive: only the leader knows remaining TTLs. */
    public Future<LeaseTimeToLiveResponse> timeToLiveHere(LeaseTimeToLiveRequest r) {
        return server.readBarrier().map(v -> {
            Lease l = lessor.lookup(r.getID());
            if (l == null) throw EtcdError.LEASE_NOT_FOUND.exception();
            LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder().setHeader(server.header())
                .setID(r.getID()).setTTL(l.remainingSeconds(lessor.now())).setGrantedTTL(l.ttlSeconds());
            if (r.getKeys()) b.addAllKeys(l.keys());
            return b.build();
        });
    }

    public Future<LeaseLeasesResponse> leases(AuthInfo ai) {
        Future<Void> ok = allowed(() -> {
            server.auth().checkAuthenticated(ai);
            if (server.auth().enabled() && !server.auth().isAdmin(ai)) {
                for (Lease l : lessor.leases()) server.authApplier().checkLeaseKeysReadable(ai, l.id());
            }
        });
        if (ok.failed()) return Future.failedFuture(ok.cause());
        LeaseLeasesResponse.Builder b = LeaseLeasesResponse.newBuilder().setHeader(server.header());
        for (Lease l : lessor.leases()) b.addLeases(LeaseStatus.newBuilder().setID(l.id()));
        return Future.succeededFuture(b.build());
    }

    /** etcd's error for a lessor's refusal. */
    static EtcdException error(Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
        if (t instanceof EtcdException e) return e;
        if (t instanceof LeaseException le) {
            return switch (le.reason()) {
                case NOT_FOUND -> EtcdError.LEASE_NOT_FOUND.exception();
                case EXISTS -> EtcdError.LEASE_EXIST.exception();
                case TTL_TOO_LARGE -> EtcdError.LEASE_TTL_TOO_LARGE.exception();
                case NOT_PRIMARY -> EtcdError.NOT_LEADER.exception();
            };
        }
        if (t instanceof RuntimeException re) throw re;
        throw new IllegalStateException(t);
    }
}
