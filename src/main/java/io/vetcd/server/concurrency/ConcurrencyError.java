package io.vetcd.server.concurrency;

import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;

/**
 * Errors of etcd's v3lock/v3election servers. etcd returns plain Go errors there, which gRPC
 * reports as UNKNOWN with the error's text; a canceled request context is CANCELED.
 */
public enum ConcurrencyError {
    NOT_LEADER(GrpcStatus.UNKNOWN, "election: not leader"),
    NO_LEADER(GrpcStatus.UNKNOWN, "election: no leader"),
    MISSING_LEADER_KEY(GrpcStatus.UNKNOWN, "\"leader\" field must be provided"),
    LOST_WATCHER(GrpcStatus.UNKNOWN, "lost watcher waiting for delete"),
    CANCELED(GrpcStatus.CANCELLED, "context canceled");

    public final GrpcStatus status;
    public final String message;

    ConcurrencyError(GrpcStatus status, String message) {
        this.status = status;
        this.message = message;
    }

    /** A StatusException passes {@code GrpcErrors} unchanged, so the code and text reach the client as is. */
    public StatusException exception() {
        return new StatusException(status, message);
    }
}
