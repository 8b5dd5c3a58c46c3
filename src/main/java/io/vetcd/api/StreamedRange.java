package io.vetcd.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.mvcc.RangePlan;
import io.vetcd.mvcc.RangeSizer;
import io.vetcd.mvcc.RangeView;
import io.vetcd.pb.etcdserver.KVGrpcService;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import java.util.function.IntConsumer;

/**
 * etcdserverpb.KV/Range over gRPC, written straight to the HTTP/2 stream: the answer is sized in a
 * first pass over a pinned view, then encoded chunk by chunk behind the client's reading
 * ({@link AnswerPump}), within the member's {@link RangeAnswerBudget}. A 400 MiB answer costs a
 * window, not 400 MiB of heap. Answers that need a sort other than by key are materialised by
 * {@link KvApi#range}, as before, unless they are big ({@link SortedRangeSource}).
 */
public final class StreamedRange {
    private final KvApi kv;
    private final RangeAnswerBudget budget;
    private IntConsumer sent = bytes -> { };

    public StreamedRange(KvApi kv) {
        this.kv = kv;
        this.budget = RangeAnswerBudget.of(kv.server());
    }

    public void bind(GrpcServer grpc) {
        grpc.callHandler(KVGrpcService.Range, this::handle);
        if (grpc instanceof io.vetcd.metrics.MeteredGrpcServer metered) {
            var method = metered.methodAt("/etcdserverpb.KV/Range");
            if (method != null) {
                sent = method::sent;
            }
        }
    }

    private void handle(GrpcServerRequest<RangeRequest, RangeResponse> req) {
        req.handler(r -> answer(req, r));
    }

    private void answer(GrpcServerRequest<RangeRequest, RangeResponse> req, RangeRequest r) {
        GrpcServerResponse<RangeRequest, RangeResponse> resp = req.response();
        HttpServerResponse http = WatchApi.httpResponse(req);
        if (http == null || !RangeView.keyOrdered(r)) {
            kv.range(r).onComplete(ar -> {
                if (ar.succeeded()) {
                    resp.end(ar.result());
                } else {
                    resp.fail(GrpcErrors.toStatus(ar.cause()));
                }
            });
            return;
        }
        Context ctx = Vertx.currentContext();
        Vertx vertx = ctx.owner();
        Call call = new Call();
        req.errorHandler(e -> call.cancel(new IllegalStateException("canceled by the client: " + e))); // RST_STREAM
        req.exceptionHandler(call::cancel);
        resp.exceptionHandler(call::cancel);
        kv.openRange(r)
            .compose(view -> call.hold(view).compose(v -> vertx.executeBlocking(() -> {
                RangePlan plan = RangeSizer.plan(view);
                return new GrpcRangeSource(view, plan, kv.server().header(view.currentRevision()));
            }, false)))
            .compose(src -> {
                call.source = src;
                long want = Math.min(5 + src.messageLength(), AnswerPump.WINDOW);
                call.reserved = budget.grant(want);
                return budget.acquire(want).map(v -> src);
            })
            .compose(src -> {
                if (call.cancelled) {
                    return Future.failedFuture("canceled");
                }
                sent.accept((int) Math.min(Integer.MAX_VALUE, src.messageLength()));
                resp.writeHead();
                call.pump = new AnswerPump(vertx, ctx, http, src, AnswerPump.IDLE_MILLIS);
                return call.pump.start();
            })
            .onComplete(ar -> {
                if (ar.succeeded()) {
                    resp.end();
                } else if (!call.cancelled && call.pump == null) {
                    resp.fail(GrpcErrors.toStatus(ar.cause()));
                } else if (!call.cancelled) {
                    try {
                        http.reset(); // mid-answer: the client must not take a cut answer as whole
                    } catch (RuntimeException ignored) {
                        // gone
                    }
                }
                call.finish();
            });
    }

    /** Everything one answer holds, freed once however the call ends. */
    private final class Call {
        boolean cancelled;
        RangeView view;
        GrpcRangeSource source;
        AnswerPump pump;
        long reserved;
        private boolean finished;

        Future<Void> hold(RangeView v) {
            view = v;
            if (cancelled) {
                finish();
                return Future.failedFuture("canceled");
            }
            return Future.succeededFuture();
        }

        void cancel(Throwable why) {
            if (cancelled || finished) {
                return;
            }
            cancelled = true;
            if (pump != null) {
                pump.stop(why); // closes the view once no worker uses it; onComplete finishes
            }
        }

        void finish() {
            if (finished) {
                return;
            }
            finished = true;
            if (pump == null && view != null) {
                view.close(); // never handed to a pump, and no worker uses it now
            }
            if (reserved > 0) {
                budget.release(reserved);
                reserved = 0;
            }
        }
    }
}
