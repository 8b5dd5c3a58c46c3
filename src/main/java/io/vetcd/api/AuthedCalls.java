package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.auth.AuthInfo;

import java.util.function.BiFunction;

/**
 * Binds a unary gRPC method to a handler that is told who the caller is. The generated service
 * adapters hand a method only its request message; etcd's checks need the call's metadata too.
 */
final class AuthedCalls {
    private AuthedCalls() {}

    static <Q, R> void unary(GrpcServer grpc, Callers callers, ServiceMethod<Q, R> method,
                             BiFunction<AuthInfo, Q, Future<R>> call) {
        grpc.callHandler(method, req -> {
            GrpcServerResponse<Q, R> resp = req.response();
            boolean[] gone = {false};
            req.errorHandler(e -> gone[0] = true);
            req.exceptionHandler(e -> gone[0] = true);
            resp.exceptionHandler(e -> gone[0] = true);
            Future<AuthInfo> caller = callers.of(req);
            req.handler(msg -> caller.compose(ai -> {
                try {
                    return call.apply(ai, msg);
                } catch (RuntimeException e) {
                    return Future.failedFuture(e);
                }
            }).onComplete(ar -> {
                if (gone[0]) return; // nobody to answer
                try {
                    if (ar.succeeded()) resp.end(ar.result());
                    else resp.fail(GrpcErrors.toStatus(ar.cause()));
                } catch (IllegalStateException reset) {
                    // the stream was reset between the check and the write
                }
            }));
        });
    }
}
