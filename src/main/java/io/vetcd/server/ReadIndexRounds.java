package io.vetcd.server;

import io.vetcd.raft.RaftNode;
import io.vetcd.raft.ReadState;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Linearizable reads, as etcd's read loop serves them: the reads that arrive are gathered, one
 * read index is asked of raft for all of them (one round in flight at a time: each round costs the
 * leader a heartbeat to every follower, and a follower a forward to the leader), and when raft
 * answers with the index, the reads wait until this member has applied it, then are released
 * together. A round whose answer is lost (a leader change, a peer that was down) is asked again
 * under a fresh context.
 *
 * <p>Threads: everything runs on the core thread except {@link #release}, which the apply thread
 * calls too (after each batch it applies); the reads awaiting their apply are shared under a lock.
 */
final class ReadIndexRounds {
    /** etcd's read loop asks again after this long without an answer. */
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** Reads that got their read index and wait for it to be applied. */
    private record Batch(long readIndex, List<ServerCore.ReadWaiter> waiters) { }

    private final RaftNode node;
    private final LongSupplier clock;
    /** The index this member has applied (the apply loop's). */
    private final LongSupplier applied;
    /** Runs a task on the core's next turn (not while a Ready is being handled). */
    private final Consumer<Runnable> nextTurn;
    private final Supplier<io.vetcd.metrics.ServerMetrics> metrics;

    /** Rounds asked and not yet answered, by context (core thread). */
    private final Map<Long, List<ServerCore.ReadWaiter>> inFlight = new HashMap<>();
    /**
     * Reads that arrived while a round was in flight (core thread). They wait for the next one: the
     * round in flight was asked before they arrived, so its index may miss a write they must see.
     */
    private List<ServerCore.ReadWaiter> waiting = new ArrayList<>();
    /** When the oldest unanswered round was asked. */
    private long askedAt;
    private long nextContext;
    private final PriorityQueue<Batch> awaitingApply = new PriorityQueue<>((a, b) -> Long.compare(a.readIndex, b.readIndex));

    ReadIndexRounds(RaftNode node, long memberId, LongSupplier clock, LongSupplier applied, Consumer<Runnable> nextTurn,
                    Supplier<io.vetcd.metrics.ServerMetrics> metrics) {
        this.node = node;
        this.clock = clock;
        this.applied = applied;
        this.nextTurn = nextTurn;
        this.metrics = metrics;
        this.nextContext = firstContext(memberId, clock.getAsLong());
    }

    /**
     * Where this member's read-index contexts start. The leader keeps waiting requests by context alone
     * (as etcd's raft does): a request whose context another member's request already holds is dropped,
     * and its reads wait for the 500 ms retry; and an answer to a request of a previous run of this
     * member, still queued at the leader, would be taken for a new request's answer (an old commit
     * index: a stale read). So, as etcd's request ids: the member id's low 16 bits on top, then the
     * clock in microseconds (monotonic since boot; a restarted member starts past every context its
     * previous run could have used, one per read round).
     */
    static long firstContext(long memberId, long clockNanos) {
        return ((memberId & 0xffffL) << 48) | ((clockNanos / 1000) & ((1L << 48) - 1));
    }

    /** Reads that arrived this turn: they go in the next round. */
    void add(List<ServerCore.ReadWaiter> reads) {
        waiting.addAll(reads);
    }

    /** Asks one read index for every waiting read when no round is in flight; true if it asked. */
    boolean askWaiting() {
        if (waiting.isEmpty() || !inFlight.isEmpty()) return false;
        long ctx = ++nextContext;
        askedAt = clock.getAsLong();
        inFlight.put(ctx, waiting);
        waiting = new ArrayList<>();
        node.readIndex(context(ctx));
        return true;
    }

    /** Raft answered a round: its reads wait for the index to be applied. */
    void answered(ReadState rs) {
        if (rs.requestCtx().length != 8) return;
        long ctx = ByteBuffer.wrap(rs.requestCtx()).getLong();
        List<ServerCore.ReadWaiter> ws = inFlight.remove(ctx);
        if (ws != null) {
            synchronized (awaitingApply) {
                awaitingApply.add(new Batch(rs.index(), ws));
            }
        }
        // Older rounds whose answer was lost (leader change) are asked again.
        askAgainWhere(c -> c < ctx);
    }

    /** A new leader: a round asked of no leader, or of the old one, may never be answered, so it is asked again. */
    void leaderElected() {
        askAgainWhere(c -> true);
    }

    /** A round unanswered for a while (its message lost to a peer that was down) is asked again. */
    void retryLost(long now) {
        if (inFlight.isEmpty() || now - askedAt < RETRY_NANOS || node.leader() == 0) return;
        askedAt = now;
        askAgainWhere(c -> true);
    }

    private void askAgainWhere(LongPredicate which) {
        if (inFlight.isEmpty()) return;
        for (Long c : new ArrayList<>(inFlight.keySet())) if (which.test(c)) askAgain(c);
    }

    /** Re-asks a round under a fresh context, on the next turn. */
    private void askAgain(long ctx) {
        List<ServerCore.ReadWaiter> again = inFlight.remove(ctx);
        if (again == null) return;
        metrics.get().slowReadIndexes.inc(); // its answer never came or came for a newer request
        // asked after every waiting read arrived, so it serves them too
        again.addAll(waiting);
        waiting = new ArrayList<>();
        long fresh = ++nextContext;
        inFlight.put(fresh, again);
        nextTurn.accept(() -> node.readIndex(context(fresh)));
    }

    /** Core or apply thread: releases the reads whose read index is now applied. */
    void release() {
        long done = applied.getAsLong();
        List<Batch> ready = null;
        synchronized (awaitingApply) {
            while (!awaitingApply.isEmpty() && awaitingApply.peek().readIndex <= done) {
                if (ready == null) ready = new ArrayList<>();
                ready.add(awaitingApply.poll());
            }
        }
        if (ready == null) return;
        for (Batch b : ready) for (ServerCore.ReadWaiter w : b.waiters) w.done().complete(b.readIndex);
    }

    /** The member stops: every read still waiting fails. */
    void failAll(EtcdException e) {
        inFlight.values().forEach(ws -> ws.forEach(w -> w.done().completeExceptionally(e)));
        waiting.forEach(w -> w.done().completeExceptionally(e));
        synchronized (awaitingApply) {
            awaitingApply.forEach(b -> b.waiters.forEach(w -> w.done().completeExceptionally(e)));
        }
    }

    private static byte[] context(long ctx) {
        return ByteBuffer.allocate(8).putLong(ctx).array();
    }
}
