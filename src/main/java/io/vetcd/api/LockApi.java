package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.auth.AuthInfo;
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

    public void bind(GrpcServer grpc, Callers callers) {
        CancellableCalls.unary(grpc, callers, LockGrpcService.Lock, this::lock);
        CancellableCalls.unary(grpc, callers, LockGrpcService.Unlock, (ai, r, c) -> unlock(ai, r));
    }

    /** The recipe acts as its caller: its keys and lease are checked as if the client wrote them itself. */
    public Future<LockResponse> lock(AuthInfo ai, LockRequest r, Cancellation cancel) {
        return locks.lock(ai, r.getName(), r.getLease(), Vertx.currentContext(), cancel).recover(RecipeErrors::fail);
    }

    public Future<UnlockResponse> unlock(AuthInfo ai, UnlockRequest r) {
        return locks.unlock(ai, r.getKey()).recover(RecipeErrors::fail);
    }
}
