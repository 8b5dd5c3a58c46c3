package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.auth.AuthInfo;
import io.vetcd.server.concurrency.Cancellation;


/**
 * Binds a unary gRPC method whose handler learns when the caller goes away (RST_STREAM, closed
 * connection): the generated service adapters hide that, and a Lock or Campaign may wait for
 * hours for a client that has long gone.
 */
final class CancellableCalls {
    private CancellableCalls() {}

    /** A call made for a caller, which learns when that caller goes away. */
    interface Call<Q, R> {
        Future<R> apply(AuthInfo caller, Q request, Cancellation cancel);
    }

    static <Q, R> void unary(GrpcServer grpc, Callers callers, ServiceMethod<Q, R> method, Call<Q, R> call) {
        grpc.callHandler(method, req -> {
            Future<AuthInfo> caller = callers.of(req);
            Cancellation cancel = new Cancellation();
            GrpcServerResponse<Q, R> resp = req.response();
            req.errorHandler(e -> cancel.cancel());
            req.exceptionHandler(e -> cancel.cancel());
            resp.exceptionHandler(e -> cancel.cancel());
            req.handler(msg -> {
                Future<R> f = caller.compose(ai -> {
                    try {
                        return call.apply(ai, msg, cancel);
                    } catch (RuntimeException e) {
                        return Future.failedFuture(e);
                    }
                });
                f.onComplete(ar -> {
                    if (cancel.isCancelled()) return; // nobody to answer
                    try {
                        if (ar.succeeded()) resp.end(ar.result());
                        else resp.fail(GrpcErrors.toStatus(ar.cause()));
                    } catch (IllegalStateException gone) {
                        // the stream was reset between the check and the write
                    }
                });
            });
        });
    }
}
