package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import io.vetcd.server.EtcdException;

/**
 * Errors of the Lock and Election services. etcd runs them over its in-process clientv3, which
 * turns every etcdserver error into a plain Go error; gRPC then reports it as UNKNOWN with the
 * same text (e.g. "UNKNOWN: etcdserver: requested lease not found", HTTP 500 / code 2 on the
 * gateway). Clients see exactly that from etcd, so we give them the same.
 */
final class RecipeErrors {
    private RecipeErrors() {}

    static <T> Future<T> fail(Throwable t) {
        if (t instanceof EtcdException e) return Future.failedFuture(new StatusException(GrpcStatus.UNKNOWN, e.getMessage()));
        return GrpcErrors.fail(t);
    }
}
