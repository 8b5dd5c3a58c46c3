package io.vetcd.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vetcd.mvcc.RangePlan;
import io.vetcd.mvcc.RangeSizer;
import io.vetcd.mvcc.RangeView;
import io.vetcd.pb.etcdserver.RangeRequest;
import java.util.function.BiFunction;

/**
 * One streamed range answer from request to last byte, whatever the wire format: open a pinned
 * view (read barrier, checks), size the answer on a worker, wait for a window of the member's
 * {@link RangeAnswerBudget}, then pump it ({@link AnswerPump}). Everything it holds (view,
 * budget, chunks) is given back exactly once, however the call ends: done, failed, canceled by
 * the client, or timed out because the client stopped reading.
 */
final class RangeAnswerCall {
    private final KvApi kv;
    private final RangeAnswerBudget budget;
    private final HttpServerResponse http;
    private boolean cancelled;
    private boolean finished;
    private RangeView view;
    private AnswerPump pump;
    private long reserved;

    RangeAnswerCall(KvApi kv, RangeAnswerBudget budget, HttpServerResponse http) {
        this.kv = kv;
        this.budget = budget;
        this.http = http;
    }

    /**
     * Runs the answer. {@code source} builds the bytes from the view and its plan (on a worker);
     * {@code firstByte} runs on the event loop right before the first write (headers). Completes
     * when every byte is on the socket; fails before {@link #started()} with the request's error.
     */
    Future<Void> run(RangeRequest r, BiFunction<RangeView, RangePlan, ChunkSource> source, Runnable firstByte) {
        Context ctx = Vertx.currentContext();
        Vertx vertx = ctx.owner();
        return kv.openRange(r)
            .compose(v -> {
                view = v;
                if (cancelled) {
                    return Future.failedFuture("canceled");
                }
                return vertx.executeBlocking(() -> source.apply(v, RangeSizer.plan(v)), false);
            })
            .compose(src -> {
                long want = Math.min(src.sizeHint(), AnswerPump.WINDOW);
                reserved = budget.grant(want);
                return budget.acquire(want).map(x -> src);
            })
            .compose(src -> {
                if (cancelled) {
                    return Future.failedFuture("canceled");
                }
                firstByte.run();
                pump = new AnswerPump(vertx, ctx, http, src, AnswerPump.IDLE_MILLIS);
                return pump.start();
            })
            .andThen(ar -> finish());
    }

    /** True once the first byte went out: a failure then can only cut the stream. */
    boolean started() {
        return pump != null;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** The client went away: stop at once, free everything as soon as no worker uses it. */
    void cancel(Throwable why) {
        if (cancelled || finished) {
            return;
        }
        cancelled = true;
        if (pump != null) {
            pump.stop(why); // closes the view once no worker uses it
        }
    }

    private void finish() {
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
