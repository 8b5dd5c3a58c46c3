package io.vetcd.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.common.impl.GrpcMethodCall;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.StatusException;
import io.vertx.grpc.server.impl.GrpcServerRequestImpl;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC call over HTTP/2 as grpc-go's server (etcd) runs it, where Vert.x's call differs:
 * <ul>
 * <li>a unary or server-streaming method takes the first request message only (grpc-go reads one
 *     and never looks further; Vert.x handed each to the handler, which answered twice);</li>
 * <li>a request that does not decode ends the call with INTERNAL "grpc: error unmarshalling
 *     request: ..." (streams: "grpc: failed to unmarshal the received message ...") where Vert.x
 *     reset the stream;</li>
 * <li>a body that ends before its request message ends the call with UNKNOWN "EOF", one cut short
 *     inside a frame with "unexpected EOF" (UNKNOWN for unary methods, INTERNAL for streams); a
 *     malformed frame prefix ({@link GoGrpcDeframer}) with INTERNAL; Vert.x left such calls
 *     unanswered;</li>
 * <li>the HTTP/2 response under the call is reachable ({@link #httpResponse}), for handlers that
 *     write several pre-encoded messages at once.</li>
 * </ul>
 * A refused call tells its handlers through their exception handler (so a watch stream or a
 * waiting lock is released) and no longer reaches them: no message, no end.
 */
public final class GoGrpcCall<Req, Resp> extends GrpcServerRequestImpl<Req, Resp> {
    private final HttpServerRequest http;
    private final boolean clientStreams;
    private final boolean unary;
    private final CallAdmission admission;
    private boolean taken;
    private boolean refused;
    /** The call's grpc-timeout in ns ({@link GrpcTimeoutHeader#NONE}: none), read before Vert.x sees the request. */
    private final long timeoutNanos;
    /** When the call arrived (System.nanoTime), where its grpc-timeout counts from. */
    private final long arrived = System.nanoTime();
    /** A unary call's request, which decides what its deadline answers ({@link DeadlineAnswer}). */
    private Object request;
    /** The call's deadline, a task on its event loop; cancelled when the call ends. */
    private ScheduledFuture<?> deadline;

    /** {@code admission}: what decides, once a unary call's request is read, whether it runs (null: every call runs). */
    GoGrpcCall(ContextInternal context, HttpServerRequest http, GrpcMessageDecoder<Req> decoder,
               boolean clientStreams, boolean serverStreams, CallAdmission admission) {
        this(context, http, decoder, clientStreams, serverStreams, admission, GrpcTimeoutHeader.take(http));
    }

    private GoGrpcCall(ContextInternal context, HttpServerRequest http, GrpcMessageDecoder<Req> decoder,
                       boolean clientStreams, boolean serverStreams, CallAdmission admission, long timeoutNanos) {
        super(context, GrpcProtocol.HTTP_2, WireFormat.PROTOBUF, http, new GoGrpcDeframer(), decoder, new GrpcMethodCall(http.path()));
        this.http = http;
        this.clientStreams = clientStreams;
        this.unary = !clientStreams && !serverStreams;
        this.admission = admission;
        this.timeoutNanos = timeoutNanos;
    }

    /** The grpc-timeout in whole milliseconds, rounded up (0: none), for calls forwarded upstream. */
    @Override
    public long timeout() {
        return timeoutNanos < 0 ? 0 : timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1);
    }

    /**
     * Ends the call when its grpc-timeout passes with what etcd's handler answers then
     * ({@link DeadlineAnswer}): a plain task on the call's event loop (Vert.x's own deadline is a
     * Timer with a promise, whose cancellation at every answer built an exception). Call on the
     * event loop, after init.
     */
    void scheduleDeadline() {
        if (timeoutNanos < 0) return;
        deadline = context.nettyEventLoop().schedule(() -> context.runOnContext(v -> endAtDeadline(taken)),
            timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Ends the call with etcd's answer at its deadline: grpc-go's own before a unary call's request was read, else its handler's. */
    private void endAtDeadline(boolean requestRead) {
        DeadlineAnswer answer = unary && !requestRead ? DeadlineAnswer.BEFORE_THE_REQUEST : DeadlineAnswer.whileWaiting(http.path(), request);
        refuse(answer.status(), answer.text());
    }

    /** The call has ended: its deadline no longer matters. */
    void cancelDeadline() {
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            deadline = null;
            d.cancel(false);
        }
    }

    /** The HTTP/2 response the call's messages and status are written on. */
    public HttpServerResponse httpResponse() {
        return http.response();
    }

    @Override
    public GoGrpcResponse<Req, Resp> response() {
        return (GoGrpcResponse<Req, Resp>) super.response();
    }

    @Override
    public GrpcServerRequestImpl<Req, Resp> handler(Handler<Req> handler) {
        if (handler == null) return messageHandler(null);
        return messageHandler(msg -> {
            if (refused || taken) return;
            if (!clientStreams) taken = true; // the one request message
            if (msg instanceof GoGrpcDeframer.Malformed bad) {
                refuse(bad.cutShort() && unary ? GrpcStatus.UNKNOWN : GrpcStatus.INTERNAL, bad.text());
                return;
            }
            Req request;
            try {
                request = decodeMessage(msg);
            } catch (CodecException e) {
                refuse(GrpcStatus.INTERNAL, (unary ? "grpc: error unmarshalling request: " : "grpc: failed to unmarshal the received message ")
                    + GoProtoError.text(e.getCause()));
                return;
            }
            // grpc-go reads a request message under the call's context: past its deadline, the read fails
            // (a stream's handler returns the context's error)
            if (timeoutNanos >= 0 && System.nanoTime() - arrived >= timeoutNanos) {
                endAtDeadline(false);
                return;
            }
            if (unary) {
                this.request = request;
                // grpc-go runs etcd's unary interceptor on the decoded request, before the handler
                StatusException no = admission == null ? null : admission.refuseUnary(request, http.headers());
                if (no != null) {
                    refuse(no.status(), no.message());
                    return;
                }
            }
            try {
                handler.handle(request);
            } catch (Exception e) {
                response().fail(e);
            }
        });
    }

    /** A message over the size limit: grpc-go's RESOURCE_EXHAUSTED, with its text. */
    void refuseOversize(long size, long limit) {
        if (taken) return;
        taken = !clientStreams;
        refuse(GrpcStatus.RESOURCE_EXHAUSTED, "grpc: received message larger than max (" + size + " vs. " + limit + ")");
    }

    /** Ends the call with this status (if it can still be answered) and lets its handlers release what they hold. */
    void refuse(GrpcStatus status, String text) {
        if (refused) return;
        refused = true;
        GoGrpcResponse<Req, Resp> resp = response();
        if (resp.open()) {
            // after the headers (a watch sends them first) the text goes in trailers, in Go's encoding
            if (resp.isHeadersSent()) resp.trailers().set("grpc-message", GoGrpcMessage.encode(text));
            resp.status(status).statusMessage(text).end();
        }
        handleException(new StatusException(status, text));
    }

    /** Whether the call has been answered, refused, or its stream closed. */
    boolean ended() {
        return refused || http.response().ended() || http.response().closed();
    }

    /** Ends the call with this status from any thread: on its own context, if it is still open then. */
    void endOnItsContext(GrpcStatus status, String text) {
        context.runOnContext(v -> refuse(status, text));
    }

    @Override
    protected void handleEnd() {
        if (refused) return; // its handlers were told through their exception handler
        if (!clientStreams && !taken) {
            refuse(GrpcStatus.UNKNOWN, "EOF"); // the body ended without a request message
            return;
        }
        super.handleEnd();
    }
}
