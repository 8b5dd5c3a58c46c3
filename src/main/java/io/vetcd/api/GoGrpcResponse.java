package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import io.vertx.grpc.common.GrpcError;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.impl.Http2GrpcServerResponse;

/**
 * The answer side of a {@link GoGrpcCall}: Vert.x's HTTP/2 gRPC response, except that a write
 * after the call has ended (its deadline passed, the client reset it, it was refused, or it was
 * already answered) fails its future instead of throwing. An answer that comes too late is normal
 * (a proposal applied after the deadline, a lock granted as the client left); grpc-go returns an
 * error from such a Send too. Thrown, it escaped onto the event loop as "IllegalStateException:
 * The stream has been closed" (found by GrpcFuzzTest).
 */
final class GoGrpcResponse<Req, Resp> extends Http2GrpcServerResponse<Req, Resp> {
    private boolean failed;
    private final GoGrpcCall<Req, Resp> call;

    GoGrpcResponse(ContextInternal context, GoGrpcCall<Req, Resp> call, HttpServerResponse http, GrpcMessageEncoder<Resp> encoder) {
        super(context, call, GrpcProtocol.HTTP_2, http, encoder);
        this.call = call;
    }

    @Override
    protected Future<Void> sendEnd() {
        call.cancelDeadline();
        return super.sendEnd();
    }

    @Override
    protected void sendCancel() {
        call.cancelDeadline();
        super.sendCancel();
    }

    /** Whether the call can still be answered. */
    boolean open() {
        return !failed && !isTrailersSent();
    }

    @Override
    public void handleError(GrpcError error) {
        failed = true;
        super.handleError(error);
    }

    @Override
    protected Future<Void> writeMessage(GrpcMessage message, boolean end) {
        if (!open()) return context.failedFuture("the call has ended");
        return super.writeMessage(message, end);
    }
}
