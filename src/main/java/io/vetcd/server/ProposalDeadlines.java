package io.vetcd.server;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.function.LongConsumer;

/**
 * The request timeout of the proposals made on one event loop, with one Vert.x timer at a time
 * instead of one per request. Every proposal here has the same timeout, so deadlines arrive in
 * the order the proposals were made and the waiting ones form a FIFO queue; answers come back
 * roughly in that order too, so answered proposals are dropped from the head as they complete and
 * the queue stays short. A timer is armed for the oldest unanswered proposal only; when it fires,
 * every proposal past its deadline fails with {@code TIMEOUT}. (A Vert.x timer per put cost a
 * scheduled task, a map entry and a cancellation, ~10 % of an event loop's put CPU in a profile.)
 * Used only on its event loop's thread: proposals are made and answered there.
 */
final class ProposalDeadlines {
    private record Waiting(long deadlineNanos, long id, Promise<Object> promise) { }

    private final Vertx vertx;
    private final long timeoutNanos;
    /** Told the id of a proposal that timed out (the core then stops waiting for it). */
    private final LongConsumer timedOut;
    private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
    private long timer = -1;

    ProposalDeadlines(Vertx vertx, long timeoutMs, LongConsumer timedOut) {
        this.vertx = vertx;
        this.timeoutNanos = timeoutMs * 1_000_000L;
        this.timedOut = timedOut;
    }

    void add(long id, Promise<Object> promise) {
        queue.add(new Waiting(System.nanoTime() + timeoutNanos, id, promise));
        if (timer < 0) arm();
    }

    /** A proposal was answered: drops the answered ones at the head. */
    void answered() {
        Waiting w;
        while ((w = queue.peek()) != null && w.promise().future().isComplete()) queue.poll();
    }

    int waiting() { return queue.size(); }

    private void arm() {
        Waiting head = queue.peek();
        if (head == null) return;
        long ms = Math.max(1, (head.deadlineNanos() - System.nanoTime() + 999_999) / 1_000_000);
        timer = vertx.setTimer(ms, t -> expire());
    }

    private void expire() {
        timer = -1;
        long now = System.nanoTime();
        Waiting w;
        while ((w = queue.peek()) != null) {
            if (w.promise().future().isComplete()) {
                queue.poll();
            } else if (w.deadlineNanos() - now <= 0) {
                queue.poll();
                if (w.promise().tryFail(EtcdError.TIMEOUT.exception())) timedOut.accept(w.id());
            } else {
                break;
            }
        }
        arm();
    }
}
