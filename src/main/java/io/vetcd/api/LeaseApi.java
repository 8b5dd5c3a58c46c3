package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.etcdserver.LeaseGrpcService;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseGrantResponse;
import io.vetcd.pb.etcdserver.LeaseKeepAliveRequest;
import io.vetcd.pb.etcdserver.LeaseKeepAliveResponse;
import io.vetcd.pb.etcdserver.LeaseLeasesRequest;
import io.vetcd.pb.etcdserver.LeaseLeasesResponse;
import io.vetcd.pb.etcdserver.LeaseRevokeRequest;
import io.vetcd.pb.etcdserver.LeaseRevokeResponse;
import io.vetcd.pb.etcdserver.LeaseTimeToLiveRequest;
import io.vetcd.pb.etcdserver.LeaseTimeToLiveResponse;
import io.vetcd.server.EtcdError;
import io.vetcd.server.EtcdException;
import io.vetcd.server.EtcdServer;

/**
 * etcdserverpb.Lease over gRPC, with etcd's v3rpc quirks: an unknown lease is
 * not an error for TimeToLive (TTL -1) nor for KeepAlive (TTL 0).
 */
public final class LeaseApi {
    private final EtcdServer server;

    public LeaseApi(EtcdServer server) {
        this.server = server;
    }

    public void bind(GrpcServer grpc, Callers callers) {
        AuthedCalls.unary(grpc, callers, LeaseGrpcService.LeaseGrant, this::leaseGrant);
        AuthedCalls.unary(grpc, callers, LeaseGrpcService.LeaseRevoke, this::leaseRevoke);
        AuthedCalls.unary(grpc, callers, LeaseGrpcService.LeaseTimeToLive, this::leaseTimeToLive);
        AuthedCalls.unary(grpc, callers, LeaseGrpcService.LeaseLeases, this::leaseLeases);
        grpc.callHandler(LeaseGrpcService.LeaseKeepAlive, req -> leaseKeepAlive(callers.of(req), req, req.response()));
    }

    public Future<LeaseGrantResponse> leaseGrant(AuthInfo ai, LeaseGrantRequest r) {
        return server.leases().grant(ai, r).recover(GrpcErrors::fail);
    }

    public Future<LeaseRevokeResponse> leaseRevoke(AuthInfo ai, LeaseRevokeRequest r) {
        return server.leases().revoke(ai, r).recover(GrpcErrors::fail);
    }

    public Future<LeaseTimeToLiveResponse> leaseTimeToLive(AuthInfo ai, LeaseTimeToLiveRequest r) {
        return server.leases().timeToLive(ai, r).recover(e -> isLeaseNotFound(e)
            ? Future.succeededFuture(LeaseTimeToLiveResponse.newBuilder().setHeader(server.header())
                .setID(r.getID()).setTTL(-1).build())
            : GrpcErrors.fail(e));
    }

    public Future<LeaseLeasesResponse> leaseLeases(AuthInfo ai, LeaseLeasesRequest r) {
        return server.leases().leases(ai).recover(GrpcErrors::fail);
    }

    /** One keep-alive: renew and answer {ID, TTL}; TTL 0 when the lease is gone. */
    public Future<LeaseKeepAliveResponse> keepAliveOnce(AuthInfo ai, LeaseKeepAliveRequest r) {
        // the header is taken before the renew, so its revision never follows a revoke the renew saw
        var header = server.header();
        return server.leases().renew(ai, r.getID())
            .recover(e -> isLeaseNotFound(e) ? Future.succeededFuture(0L) : Future.failedFuture(e))
            .map(ttl -> LeaseKeepAliveResponse.newBuilder().setHeader(header).setID(r.getID()).setTTL(ttl).build());
    }

    private void leaseKeepAlive(Future<AuthInfo> caller, ReadStream<LeaseKeepAliveRequest> requests,
                                WriteStream<LeaseKeepAliveResponse> responses) {
        // Answers go out in request order: each renew starts after the previous answer is written.
        @SuppressWarnings("unchecked")
        Future<Void>[] tail = new Future[]{Future.succeededFuture()};
        boolean[] finished = {false};
        requests.handler(req -> {
            if (responses.writeQueueFull()) {
                requests.pause();
                responses.drainHandler(v -> requests.resume());
            }
            Future<Void> next = tail[0].compose(v -> caller).compose(ai -> keepAliveOnce(ai, req)).compose(responses::write);
            tail[0] = next;
            next.onFailure(e -> finish(responses, e, finished));
        });
        requests.endHandler(v -> tail[0].onComplete(ar -> finish(responses, ar.cause(), finished)));
        // a client that goes away just ends the stream; there is nobody left to answer
        requests.exceptionHandler(e -> { });
    }

    private static void finish(WriteStream<LeaseKeepAliveResponse> responses, Throwable failure, boolean[] finished) {
        if (finished[0]) return;
        finished[0] = true;
        if (failure == null) {
            responses.end();
        } else if (responses instanceof GrpcServerResponse<?, ?> grpc) {
            GrpcErrors.failStream(grpc, failure);
        } else {
            responses.end();
        }
    }

    private static boolean isLeaseNotFound(Throwable e) {
        return e instanceof EtcdException ee && ee.error() == EtcdError.LEASE_NOT_FOUND;
    }
}
