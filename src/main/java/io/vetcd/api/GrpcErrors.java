package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vertx.grpc.server.StatusException;
import io.vetcd.server.EtcdError;
import io.vetcd.server.EtcdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns failures into gRPC statuses with etcd's codes and messages. */
public final class GrpcErrors {
    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {}

    public static StatusException toStatus(Throwable t) {
        if (t instanceof StatusException se) return se;
        if (t instanceof EtcdException ee) return new StatusException(ee.error().status, ee.error().message);
        if (t instanceof io.vetcd.auth.AuthException ae) return toStatus(EtcdError.of(ae));
        // Anything else is our bug, not the client's: say so without leaking internals, keep serving.
        log.warn("request failed unexpectedly", t);
        return new StatusException(GrpcStatus.UNKNOWN, String.valueOf(t.getMessage()));
    }

    /**
     * Ends a streaming call with a failure. Once messages went out the status travels in trailers,
     * where Vert.x would URL-encode the text; setting {@code grpc-message} first keeps Go's encoding.
     */
    public static void failStream(GrpcServerResponse<?, ?> response, Throwable t) {
        StatusException status = toStatus(t);
        // before any message Vert.x answers trailers-only and GoGrpcHeaders fixes the text there
        boolean headersSent = response instanceof io.vertx.grpc.common.impl.GrpcWriteStreamBase<?, ?> w && w.isHeadersSent();
        if (headersSent && status.message() != null) {
            response.trailers().set("grpc-message", GoGrpcMessage.encode(status.message()));
        }
        response.fail(status);
    }

    public static <T> Future<T> fail(Throwable t) {
        return Future.failedFuture(toStatus(t));
    }

    public static <T> Future<T> unimplemented() {
        return Future.failedFuture(toStatus(EtcdError.NOT_IMPLEMENTED.exception()));
    }
}
