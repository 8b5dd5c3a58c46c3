package io.vetcd.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vetcd.mvcc.RangeView;
import io.vetcd.pb.etcdserver.RangeRequest;

/**
 * POST /v3/kv/range of the JSON gateway, written as a chunked body while the range is scanned
 * ({@link JsonRangeSource}), within the same per-member budget as gRPC answers. Answers sorted
 * other than by key go through {@link KvApi#range} as before.
 */
final class JsonRangeStream {
    private final KvApi kv;
    private final Callers callers;
    private final RangeAnswerBudget budget;
    private final JsonFormat.Printer printer;

    JsonRangeStream(KvApi kv, Callers callers, JsonFormat.Printer printer) {
        this.kv = kv;
        this.callers = callers;
        this.budget = RangeAnswerBudget.of(kv.server());
        this.printer = printer;
    }

    /** Handles the request; false when it is not streamed (the caller answers it as before). */
    boolean handle(RoutingContext ctx) {
        if (!StreamedRange.ENABLED) {
            return false;
        }
        RangeRequest r;
        try {
            RangeRequest.Builder b = RangeRequest.newBuilder();
            JsonGateway.mergeBody(ctx, b);
            r = b.build();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return false; // the gateway's own path reports the bad body
        }
        if (!RangeView.keyOrdered(r) || r.getRangeEnd().isEmpty()) {
            return false; // sorted ones, and a single key's (one value: one hop to a worker, see StreamedRange)
        }
        HttpServerResponse http = ctx.response();
        RangeAnswerCall call = new RangeAnswerCall(kv, budget, http);
        http.exceptionHandler(call::cancel);
        http.closeHandler(v -> call.cancel(new IllegalStateException("connection closed")));
        // the gateway's caller comes from its Authorization header, as for every gateway call
        callers.of(ctx).compose(ai -> call.run(ai, r, 0, view -> new JsonRangeSource(view, io.vetcd.mvcc.RangeSizer.plan(view),
                kv.server().header(view.currentRevision()), printer),
            () -> http.setChunked(true).putHeader("content-type", "application/json")))
            .onComplete(ar -> {
                if (ar.succeeded()) {
                    http.end();
                } else if (call.cancelled()) {
                    return;
                } else if (!call.started()) {
                    JsonGateway.fail(ctx, GrpcErrors.toStatus(ar.cause()));
                } else {
                    http.reset(8); // CANCEL: cut mid-answer: close rather than end a partial body as if whole
                }
            });
        return true;
    }
}
