package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.auth.AuthInfo;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.pb.election.CampaignRequest;
import io.vetcd.pb.election.CampaignResponse;
import io.vetcd.pb.election.ElectionGrpcService;
import io.vetcd.pb.election.LeaderRequest;
import io.vetcd.pb.election.LeaderResponse;
import io.vetcd.pb.election.ProclaimRequest;
import io.vetcd.pb.election.ProclaimResponse;
import io.vetcd.pb.election.ResignRequest;
import io.vetcd.pb.election.ResignResponse;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.concurrency.Cancellation;
import io.vetcd.server.concurrency.ConcurrencyError;
import io.vetcd.server.concurrency.Election;
import io.vetcd.server.concurrency.ElectionObserver;

/** v3electionpb.Election over gRPC (and, through {@link JsonConcurrencyGateway}, JSON). */
public final class ElectionApi {
    private final EtcdServer server;
    private final Election election;

    public ElectionApi(EtcdServer server) {
        this.server = server;
        this.election = new Election(server);
    }

    public void bind(GrpcServer grpc, Callers callers) {
        this.callers = callers;
        CancellableCalls.unary(grpc, callers, ElectionGrpcService.Campaign, this::campaign);
        CancellableCalls.unary(grpc, callers, ElectionGrpcService.Proclaim, (ai, r, c) -> proclaim(ai, r));
        CancellableCalls.unary(grpc, callers, ElectionGrpcService.Leader, (ai, r, c) -> leader(ai, r));
        CancellableCalls.unary(grpc, callers, ElectionGrpcService.Resign, (ai, r, c) -> resign(ai, r));
        grpc.callHandler(ElectionGrpcService.Observe, this::observe);
    }

    private Callers callers;

    /** The recipes act as their caller: keys and leases are checked as if the client used them itself. */
    public Future<CampaignResponse> campaign(AuthInfo ai, CampaignRequest r, Cancellation cancel) {
        return election.campaign(ai, r.getName(), r.getLease(), r.getValue(), Vertx.currentContext(), cancel)
            .recover(RecipeErrors::fail);
    }

    public Future<ProclaimResponse> proclaim(AuthInfo ai, ProclaimRequest r) {
        if (!r.hasLeader()) return Future.failedFuture(ConcurrencyError.MISSING_LEADER_KEY.exception());
        return election.proclaim(ai, r.getLeader(), r.getValue()).recover(RecipeErrors::fail);
    }

    public Future<LeaderResponse> leader(AuthInfo ai, LeaderRequest r) {
        return election.leader(ai, r.getName()).recover(RecipeErrors::fail);
    }

    public Future<ResignResponse> resign(AuthInfo ai, ResignRequest r) {
        if (!r.hasLeader()) return Future.failedFuture(ConcurrencyError.MISSING_LEADER_KEY.exception());
        return election.resign(ai, r.getLeader()).recover(RecipeErrors::fail);
    }

    /** A server stream for as long as the client keeps it (or until the observation ends on its own). */
    public ElectionObserver observer(AuthInfo ai, LeaderRequest r, ElectionObserver.Sink sink) {
        return new ElectionObserver(server, ai, Vertx.currentContext(), r.getName(), sink);
    }

    private void observe(GrpcServerRequest<LeaderRequest, LeaderResponse> req) {
        GrpcServerResponse<LeaderRequest, LeaderResponse> resp = req.response();
        Future<AuthInfo> caller = callers.of(req);
        req.handler(msg -> caller.onFailure(e -> {
            try {
                resp.fail(GrpcErrors.toStatus(e));
            } catch (IllegalStateException gone) {
            }
        }).onSuccess(ai -> {
            ElectionObserver o = observer(ai, msg, new ElectionObserver.Sink() {
                @Override
                public void send(LeaderResponse r) {
                    try {
                        resp.write(r);
                    } catch (IllegalStateException gone) { // reset; the error handler closes the observer
                    }
                }

                @Override
                public void end() {
                    try {
                        resp.end();
                    } catch (IllegalStateException gone) {
                    }
                }
            });
            req.errorHandler(e -> o.close());
            req.exceptionHandler(e -> o.close());
            resp.exceptionHandler(e -> o.close());
            o.start();
        }));
    }
}
