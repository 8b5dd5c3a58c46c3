package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vetcd.auth.AuthInfo;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.mvcc.RangeSizer;
import io.vetcd.mvcc.RangeView;
import io.vetcd.mvcc.SortedRange;
import io.vetcd.pb.etcdserver.KVGrpcService;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import java.util.function.IntConsumer;

/**
 * etcdserverpb.KV/Range over gRPC, written straight to the HTTP/2 stream: the answer is sized in a
 * first pass over a pinned view, then encoded chunk by chunk behind the client's reading
 * ({@link RangeAnswerCall}), within the member's {@link RangeAnswerBudget}. A 400 MiB answer costs
 * a window, not 400 MiB of heap. Answers sorted other than by key are materialised by
 * {@link KvApi#range}, as before, unless they are big ({@link SortedRangeSource}).
 */
public final class StreamedRange {
    /** {@code -Dvetcd.range.stream=false} answers every range materialised, as before (a way back). */
    static final boolean ENABLED = !"false".equals(System.getProperty("vetcd.range.stream"));

    private final KvApi kv;
    private final Callers callers;
    private final RangeAnswerBudget budget;
    private IntConsumer sent = bytes -> { };

    public StreamedRange(KvApi kv, Callers callers) {
        this.kv = kv;
        this.callers = callers;
        this.budget = RangeAnswerBudget.of(kv.server());
    }

    public void bind(GrpcServer grpc) {
        grpc.callHandler(KVGrpcService.Range, req -> {
            Future<AuthInfo> caller = callers.of(req); // token or client certificate, for etcd's checks
            req.handler(r -> caller.onComplete(ai -> {
                if (ai.succeeded()) {
                    answer(req, ai.result(), r);
                } else {
                    req.response().fail(GrpcErrors.toStatus(ai.cause()));
                }
            }));
        });
        if (grpc instanceof io.vetcd.metrics.MeteredGrpcServer metered) {
            var method = metered.methodAt("/etcdserverpb.KV/Range");
            if (method != null) {
                sent = method::sent; // pre-encoded: the codec, where gRPC metrics count, never sees it
            }
        }
    }

    /** Where big sorts spill: next to the member's store, emptied at start-up. */
    private java.nio.file.Path scratchDir() {
        return SortScratchDir.of(kv.server().store().directory());
    }

    private void answer(GrpcServerRequest<RangeRequest, RangeResponse> req, AuthInfo ai, RangeRequest r) {
        GrpcServerResponse<RangeRequest, RangeResponse> resp = req.response();
        HttpServerResponse http = WatchApi.httpResponse(req);
        // a count is a few bytes and a single key's answer one value: answered in one hop to a worker,
        // without the streaming machinery (three hops: open the view, size it, produce the chunks)
        if (http == null || !ENABLED || r.getCountOnly() || r.getRangeEnd().isEmpty()) {
            kv.range(ai, r).onComplete(ar -> {
                if (ar.succeeded()) {
                    resp.end(ar.result());
                } else {
                    resp.fail(GrpcErrors.toStatus(ar.cause()));
                }
            });
            return;
        }
        RangeAnswerCall call = new RangeAnswerCall(kv, budget, http);
        req.errorHandler(e -> call.cancel(new IllegalStateException("canceled by the client: " + e))); // RST_STREAM
        req.exceptionHandler(call::cancel);
        resp.exceptionHandler(call::cancel);
        long[] length = {0};
        boolean keyOrdered = RangeView.keyOrdered(r);
        // A sort needs memory while it is built (in memory up to a bound, else a scratch store's
        // memtables): reserve that before starting, so parallel big sorts queue.
        long reserveFirst = keyOrdered ? 0 : AnswerPump.WINDOW + SortedRange.footprintBytes();
        call.run(ai, r, reserveFirst, view -> {
            GrpcRangeSource src;
            if (keyOrdered) {
                src = new GrpcRangeSource(view, RangeSizer.plan(view), kv.server().header(view.currentRevision()));
            } else {
                SortedRange sorted = SortedRange.build(view, scratchDir());
                view.close(); // the sorted answer no longer needs the pinned view
                src = new GrpcRangeSource(sorted.plan(), sorted, kv.server().header(view.currentRevision()), sorted::close);
            }
            length[0] = src.messageLength();
            return src;
        }, () -> {
            sent.accept((int) Math.min(Integer.MAX_VALUE, length[0]));
            resp.writeHead();
        }).onComplete(ar -> {
            if (ar.succeeded()) {
                resp.end();
            } else if (call.cancelled()) {
                return; // nobody to answer
            } else if (!call.started()) {
                resp.fail(GrpcErrors.toStatus(ar.cause()));
            } else {
                try {
                    http.reset(8); // CANCEL, mid-answer: the client must not take a cut answer for a whole one
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        });
    }
}
