package io.vetcd.api;

import io.vertx.core.Future;
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
import io.vetcd.pb.etcdserver.LeaseService;
import io.vetcd.pb.etcdserver.LeaseTimeToLiveRequest;
import io.vetcd.pb.etcdserver.LeaseTimeToLiveResponse;
import io.vetcd.server.EtcdError;
import io.vetcd.server.EtcdException;
import io.vetcd.server.EtcdServer;

/**
 * etcdserverpb.Lease over gRPC, with etcd's v3rpc quirks: an unknown lease is
 * not an error for TimeToLive (TTL -1) nor for KeepAlive (TTL 0).
 */
public final class LeaseApi extends LeaseService {
    private final EtcdServer server;

    public LeaseApi(EtcdServer server) {
        this.server = server;
    }

    @Override
    public Future<LeaseGrantResponse> leaseGrant(LeaseGrantRequest r) {
        return server.leaseGrant(r).recover(GrpcErrors::fail);
    }

    @Override
    public Future<LeaseRevokeResponse> leaseRevoke(LeaseRevokeRequest r) {
        return server.leaseRevoke(r).recover(GrpcErrors::fail);
    }

    @Override
    public Future<LeaseTimeToLiveResponse> leaseTimeToLive(LeaseTimeToLiveRequest r) {
        return server.leaseTimeToLive(r).recover(e -> isLeaseNotFound(e)
            ? Future.succeededFuture(LeaseTimeToLiveResponse.newBuilder().setHeader(server.header())
                .setID(r.getID()).setTTL(-1).build())
            : GrpcErrors.fail(e));
    }

    @Override
    public Future<LeaseLeasesResponse> leaseLeases(LeaseLeasesRequest r) {
        return server.leaseLeases().recover(GrpcErrors::fail);
    }

    /** One keep-alive: renew and answer {ID, TTL}; TTL 0 when the lease is gone. */
    public Future<LeaseKeepAliveResponse> keepAliveOnce(LeaseKeepAliveRequest r) {
        // the header is taken before the renew, so its revision never follows a revoke the renew saw
        var header = server.header();
        return server.leaseRenew(r.getID())
            .recover(e -> isLeaseNotFound(e) ? Future.succeededFuture(0L) : Future.failedFuture(e))
            .map(ttl -> LeaseKeepAliveResponse.newBuilder().setHeader(header).setID(r.getID()).setTTL(ttl).build());
    }

    @Override
    protected void leaseKeepAlive(ReadStream<LeaseKeepAliveRequest> requests, WriteStream<LeaseKeepAliveResponse> responses) {
        // Answers go out in request order: each renew starts after the previous answer is written.
        @SuppressWarnings("unchecked")
        Future<Void>[] tail = new Future[]{Future.succeededFuture()};
        boolean[] finished = {false};
        requests.handler(req -> {
            if (responses.writeQueueFull()) {
                requests.pause();
                responses.drainHandler(v -> requests.resume());
            }
            Future<Void> next = tail[0].compose(v -> keepAliveOnce(req)).compose(responses::write);
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
