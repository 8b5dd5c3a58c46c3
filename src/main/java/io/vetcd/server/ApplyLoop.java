package io.vetcd.server;

import io.vetcd.raft.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Applies committed normal entries on its own thread, in log order, so that applying one batch
 * overlaps the core's next WAL fsync (as etcd's apply goroutine overlaps its raft loop). The core
 * hands over batches with {@link #enqueue} and, before anything that needs the state machine to
 * be exactly at the commit point it has seen (a membership change, a snapshot install), waits
 * with {@link #drain}.
 *
 * <p>Only this thread calls {@link ServerCore.StateMachine#apply}/{@code applyEmpty} while it
 * runs; proposals it answers are removed from the shared {@code waiting} map.
 */
final class ApplyLoop {
    private static final Logger log = LoggerFactory.getLogger(ApplyLoop.class);
    /** Batches waiting beyond this block the core: apply is the bottleneck then, as in etcd. */
    private static final int MAX_QUEUED_BATCHES = 256;
    private static final List<Entry> STOP = List.of();

    private final ServerCore.StateMachine stateMachine;
    private final long memberId;
    private final Map<Long, Proposal> waiting;
    private final Runnable afterBatch;
    private final Consumer<Throwable> onFailure;
    private final BlockingQueue<List<Entry>> queue = new ArrayBlockingQueue<>(MAX_QUEUED_BATCHES);
    private final Thread thread;
    private final Object progress = new Object();
    /** Index of the last entry handed over; guarded by {@link #progress}. */
    private long enqueuedThrough;
    private volatile long appliedIndex;
    volatile io.vetcd.metrics.ServerMetrics metrics = io.vetcd.metrics.ServerMetrics.DETACHED;
    /** etcd's warnApplyDuration (--experimental-warning-apply-duration): a slower apply is logged and counted in slow_apply_total. */
    volatile long warnApplyNanos = 100_000_000L;
    private volatile boolean failed;
    /** What the batch being applied owes its proposers (apply thread). */
    private final Answers answers = new Answers();
    /** No thread of its own: the caller applies batch by batch ({@link #applyNext}), as a simulation does. */
    private volatile boolean stepped;
    /**
     * Held by whichever thread applies a batch: this loop's thread, or the core applying a batch
     * itself when nothing is waiting ({@link #enqueue}). Keeps one writer at a time on the state machine.
     */
    private final java.util.concurrent.locks.ReentrantLock applying = new java.util.concurrent.locks.ReentrantLock();
    /** Batches the core applied itself (no hand-off), for the metrics and tests. */
    private final java.util.concurrent.atomic.AtomicLong appliedInline = new java.util.concurrent.atomic.AtomicLong();

    ApplyLoop(ServerCore.StateMachine stateMachine, long memberId, Map<Long, Proposal> waiting, long appliedIndex,
              Runnable afterBatch, Consumer<Throwable> onFailure) {
        this.stateMachine = stateMachine;
        this.memberId = memberId;
        this.waiting = waiting;
        this.appliedIndex = appliedIndex;
        this.enqueuedThrough = appliedIndex;
        this.afterBatch = afterBatch;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, "vetcd-apply");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Runs without a thread: batches wait in the queue until {@link #applyNext} (or a drain) applies them. */
    void stepped() {
        stepped = true;
    }

    int backlog() {
        return queue.size();
    }

    /** Stepped mode: applies the oldest queued batch on the caller's thread; false if none was queued. */
    boolean applyNext() {
        List<Entry> batch = queue.poll();
        if (batch == null || batch == STOP) return false;
        try {
            applyBatch(batch);
        } catch (Throwable t) {
            fail(t);
        }
        return true;
    }

    long appliedIndex() {
        return appliedIndex;
    }

    /** Core thread: entries the core applied itself (membership changes, snapshots) after a drain. */
    void appliedByCore(long index) {
        synchronized (progress) {
            appliedIndex = Math.max(appliedIndex, index);
            enqueuedThrough = Math.max(enqueuedThrough, index);
        }
    }

    /** Core thread: hands over committed normal entries, in order; blocks while the queue is full. */
    void enqueue(List<Entry> entries) throws InterruptedException {
        enqueue(entries, false);
    }

    /**
     * Core thread: hands over committed normal entries, in order; blocks while the queue is full.
     * With {@code coreIdle} (the core has nothing else waiting, e.g. one client's put) and everything
     * handed over before already applied, the core applies the batch itself: the answer goes out
     * without waking this loop's thread, one thread hand-off less per write. Under load the core
     * hands over as before, so applying overlaps its next fsync.
     */
    void enqueue(List<Entry> entries, boolean coreIdle) throws InterruptedException {
        if (entries.isEmpty()) return;
        long before;
        synchronized (progress) {
            before = enqueuedThrough;
            enqueuedThrough = entries.get(entries.size() - 1).index();
        }
        if (coreIdle && !stepped && !failed && applyInlineIfIdle(entries, before)) return;
        // stepped, nobody else would make room: a full queue applies its oldest batch here
        if (stepped && queue.remainingCapacity() == 0) applyNext();
        queue.put(entries);
    }

    /** Core thread: waits until everything handed over has been applied. */
    void drain() throws InterruptedException {
        if (stepped) while (!failed && applyNext()) { }
        synchronized (progress) {
            while (appliedIndex < enqueuedThrough && !failed) progress.wait(100);
        }
        if (failed) throw new IllegalStateException("the apply loop failed");
    }

    /** Applies on the calling (core) thread if this loop has nothing in hand; false if it has. */
    private boolean applyInlineIfIdle(List<Entry> entries, long handedOverBefore) {
        if (!applying.tryLock()) return false;
        try {
            // under the lock: a batch taken from the queue but not yet applied shows as applied < handed over
            if (!queue.isEmpty() || appliedIndex < handedOverBefore || failed) return false;
            try {
                applyBatch(entries);
            } catch (Throwable t) {
                fail(t);
            }
            appliedInline.incrementAndGet();
            return true;
        } finally {
            applying.unlock();
        }
    }

    /** Whether a thread is inside a batch now (the loop's thread lets go of it just after the applied index moves). */
    boolean applyingNow() {
        return applying.isLocked();
    }

    /** How many batches the core applied itself instead of handing them over. */
    long appliedInline() {
        return appliedInline.get();
    }

    void stop() {
        queue.offer(STOP);
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (true) {
                List<Entry> batch = queue.take();
                if (batch == STOP) return;
                applying.lock();
                try {
                    if (failed) return;
                    applyBatch(batch);
                } finally {
                    applying.unlock();
                }
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (Throwable t) {
            fail(t);
        }
    }

    /**
     * The whole batch goes to the backend in one write ({@link ServerCore.StateMachine#endBatch}); only
     * then does the applied index move and are the proposers answered, so a linearizable read
     * released at that index, and every answer, sees the writes.
     */
    private void applyBatch(List<Entry> batch) {
        long applied = appliedIndex;
        for (Entry e : batch) applied = apply(e, applied);
        stateMachine.endBatch();
        appliedIndex = applied;
        answers.send();
        synchronized (progress) {
            progress.notifyAll();
        }
        afterBatch.run();
    }

    /** A backend failure must stop the member: going on could lose acknowledged data. */
    private void fail(Throwable t) {
        failed = true;
        answers.send(); // the entries before the failing one are committed (in the raft WAL): their proposers get their answers
        log.error("applying committed entries failed; member stops serving", t);
        synchronized (progress) {
            progress.notifyAll();
        }
        onFailure.accept(t);
    }

    /** Applies one entry of a batch; returns the index applied through. */
    private long apply(Entry e, long applied) {
        if (e.index() <= applied) return applied; // already in the backend (a restart replays the WAL)
        ServerCore.Applied a;
        if (e.data().length == 0) {
            stateMachine.applyEmpty(e);
            a = ServerCore.Applied.NONE;
        } else {
            long started = System.nanoTime();
            try {
                a = stateMachine.apply(e);
            } catch (EtcdException ex) {
                a = ServerCore.Applied.NONE;
            }
            long took = System.nanoTime() - started;
            if (took > warnApplyNanos) {
                metrics.slowApplies.inc();
                log.warn("apply request took too long: entry {} took {}, expected {}", e.index(),
                    io.vetcd.config.GoDuration.format(java.time.Duration.ofNanos(took)),
                    io.vetcd.config.GoDuration.format(java.time.Duration.ofNanos(warnApplyNanos)));
            }
        }
        if (a.requestId() != 0) {
            Proposal p = waiting.remove(a.requestId());
            if (p != null) answers.add(p, a.result());
        }
        return e.index();
    }

    /** Core thread: completes the proposal a membership change answers, if this member proposed it. */
    void answer(ServerCore.Applied a) {
        if (a.requestId() != 0) {
            Proposal p = waiting.remove(a.requestId());
            if (p != null) p.complete(a.result());
        }
    }
}
