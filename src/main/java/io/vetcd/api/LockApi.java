package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.pb.lock.LockGrpcService;
import io.vetcd.pb.lock.LockRequest;
import io.vetcd.pb.lock.LockResponse;
import io.vetcd.pb.lock.UnlockRequest;
import io.vetcd.pb.lock.UnlockResponse;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.concurrency.Cancellation;
import io.vetcd.server.concurrency.LockQueue;

/** v3lockpb.Lock over gRPC (and, through {@link JsonConcurrencyGateway}, JSON). */
public final class LockApi {
    private final LockQueue locks;

    public LockApi(EtcdServer server) {
        this.locks = new LockQueue(server);
    }

    public void bind(GrpcServer grpc) {
        CancellableCalls.unary(grpc, LockGrpcService.Lock, this::lock);
        CancellableCalls.unary(grpc, LockGrpcService.Unlock, (r, c) -> unlock(r));
    }

    public Future<LockResponse> lock(LockRequest r, Cancellation cancel) {
        return locks.lock(r.getName(), r.getLease(), Vertx.currentContext(), cancel).recover(RecipeErrors::fail);
    }

    public Future<UnlockResponse> unlock(UnlockRequest r) {
        return locks.unlock(r.getKey()).recover(RecipeErrors::fail);
    }
}
