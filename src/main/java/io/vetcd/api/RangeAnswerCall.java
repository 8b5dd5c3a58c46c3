package io.vetcd.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vetcd.auth.AuthInfo;
import io.vetcd.mvcc.RangeView;
import io.vetcd.pb.etcdserver.RangeRequest;
import java.util.function.Function;

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
     * Runs the answer. {@code source} builds the bytes from the view (on a worker, so it may scan
     * and sort); {@code firstByte} runs on the event loop right before the first write (headers).
     * {@code reserveFirst} bytes of budget are taken before the view is even opened, for sources
     * that need memory while they are built; otherwise the answer's window is taken once its size
     * is known. Completes when every byte is on the socket; fails before {@link #started()} with
     * the request's error.
     */
    Future<Void> run(AuthInfo ai, RangeRequest r, long reserveFirst, Function<RangeView, ChunkSource> source, Runnable firstByte) {
        Context ctx = Vertx.currentContext();
        Vertx vertx = ctx.owner();
        Future<Void> admitted = Future.succeededFuture();
        if (reserveFirst > 0) {
            reserved = budget.grant(reserveFirst);
            admitted = budget.acquire(reserveFirst);
        }
        return admitted
            .compose(x -> cancelled ? Future.failedFuture("canceled") : kv.openRange(ai, r))
            .compose(v -> {
                view = v;
                if (cancelled) {
                    return Future.failedFuture("canceled");
                }
                return vertx.executeBlocking(() -> source.apply(v), false);
            })
            .compose(src -> {
                if (reserveFirst > 0) {
                    return Future.succeededFuture(src);
                }
                long want = Math.min(src.sizeHint(), AnswerPump.WINDOW);
                reserved = budget.grant(want);
                return budget.acquire(want).map(x -> src);
            })
            .compose(src -> {
                if (cancelled) {
                    src.close();
                    view = null;
                    return Future.failedFuture("canceled");
                }
                firstByte.run();
                pump = new AnswerPump(vertx, ctx, http, src, AnswerPump.idleMillis());
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
