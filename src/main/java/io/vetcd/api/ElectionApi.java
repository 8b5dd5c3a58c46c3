package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.GrpcServer;
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

    public void bind(GrpcServer grpc) {
        CancellableCalls.unary(grpc, ElectionGrpcService.Campaign, this::campaign);
        CancellableCalls.unary(grpc, ElectionGrpcService.Proclaim, (r, c) -> proclaim(r));
        CancellableCalls.unary(grpc, ElectionGrpcService.Leader, (r, c) -> leader(r));
        CancellableCalls.unary(grpc, ElectionGrpcService.Resign, (r, c) -> resign(r));
        grpc.callHandler(ElectionGrpcService.Observe, this::observe);
    }

    public Future<CampaignResponse> campaign(CampaignRequest r, Cancellation cancel) {
        return election.campaign(r.getName(), r.getLease(), r.getValue(), Vertx.currentContext(), cancel)
            .recover(RecipeErrors::fail);
    }

    public Future<ProclaimResponse> proclaim(ProclaimRequest r) {
        if (!r.hasLeader()) return Future.failedFuture(ConcurrencyError.MISSING_LEADER_KEY.exception());
        return election.proclaim(r.getLeader(), r.getValue()).recover(RecipeErrors::fail);
    }

    public Future<LeaderResponse> leader(LeaderRequest r) {
        return election.leader(r.getName()).recover(RecipeErrors::fail);
    }

    public Future<ResignResponse> resign(ResignRequest r) {
        if (!r.hasLeader()) return Future.failedFuture(ConcurrencyError.MISSING_LEADER_KEY.exception());
        return election.resign(r.getLeader()).recover(RecipeErrors::fail);
    }

    /** A server stream for as long as the client keeps it (or until the observation ends on its own). */
    public ElectionObserver observer(LeaderRequest r, ElectionObserver.Sink sink) {
        return new ElectionObserver(server, Vertx.currentContext(), r.getName(), sink);
    }

    private void observe(GrpcServerRequest<LeaderRequest, LeaderResponse> req) {
        GrpcServerResponse<LeaderRequest, LeaderResponse> resp = req.response();
        req.handler(msg -> {
            ElectionObserver o = observer(msg, new ElectionObserver.Sink() {
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
        });
    }
}
