package io.vetcd.server;

import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.HardState;
import io.vetcd.wal.Wal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The member's one ordered context: it owns the log, the WAL and the apply
 * path, so the state machine needs no locks. It runs on its own thread, never
 * on an event loop, because it fsyncs.
 *
 * <p>Each turn of the loop takes every proposal that arrived while the last
 * turn was busy, appends them all to the WAL, fsyncs once (group commit), then
 * applies them in log order and completes their callers. With one voting
 * member an entry is committed as soon as it is durable; the raft core slots
 * in between "append" and "apply" for clusters.
 */
public final class ServerCore {
    private static final Logger log = LoggerFactory.getLogger(ServerCore.class);
    private static final int MAX_BATCH = 4096;

    /** Applies one committed entry and returns the result for its proposer (a message or an exception). */
    public interface EntryApplier {
        Object apply(Entry entry);
    }

    private final Wal wal;
    private final EntryApplier applier;
    private final long memberId;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Map<Long, Proposal> waiting = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    private long term;
    private long lastIndex;
    private volatile long commitIndex;
    private volatile long appliedIndex;

    public ServerCore(Wal wal, EntryApplier applier, long memberId, long term, long lastIndex, long appliedIndex) {
        this.wal = wal;
        this.applier = applier;
        this.memberId = memberId;
        this.term = term;
        this.lastIndex = lastIndex;
        this.commitIndex = lastIndex;
        this.appliedIndex = appliedIndex;
        this.thread = new Thread(this::run, "vetcd-core");
        this.thread.setDaemon(true);
    }

    /** Re-applies entries that are in the WAL but not yet in the backend (crash between fsync and apply). */
    public void replay(List<Entry> entries) {
        for (Entry e : entries) {
            if (e.index() <= appliedIndex) continue;
            applier.apply(e);
            appliedIndex = e.index();
        }
    }

    public void start() {
        // A restart is a new election for a single member: the term moves on, as raft would make it.
        term = term + 1;
        wal.save(new HardState(term, memberId, commitIndex), List.of());
        wal.sync();
        thread.start();
    }

    public void submit(Proposal p) {
        if (!running) {
            p.complete(EtcdError.STOPPED.exception());
            return;
        }
        inbox.add(p);
    }

    /** Runs a task on the core thread, after everything submitted before it. */
    public CompletableFuture<Void> runOnCore(Consumer<ServerCore> task) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        inbox.add((Runnable) () -> {
            try {
                task.accept(this);
                f.complete(null);
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    public long term() { return term; }
    public long commitIndex() { return commitIndex; }
    public long appliedIndex() { return appliedIndex; }
    public long leaderId() { return memberId; }
    public Throwable failure() { return failure; }

    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Object o : inbox) if (o instanceof Proposal p) p.complete(EtcdError.STOPPED.exception());
        waiting.values().forEach(p -> p.complete(EtcdError.STOPPED.exception()));
    }

    private void run() {
        List<Object> batch = new ArrayList<>();
        while (running) {
            try {
                Object first = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                inbox.drainTo(batch, MAX_BATCH - 1);
                turn(batch);
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (Throwable t) {
                // A WAL or backend failure must stop the member: continuing could lose acknowledged data.
                failure = t;
                log.error("core loop failed; member stops serving writes", t);
                running = false;
                for (Object o : batch) if (o instanceof Proposal p) p.complete(EtcdError.STOPPED.exception());
            } finally {
                batch.clear();
            }
        }
    }

    private void turn(List<Object> batch) {
        List<Entry> entries = new ArrayList<>(batch.size());
        List<Runnable> tasks = null;
        for (Object o : batch) {
            if (o instanceof Proposal p) {
                Entry e = new Entry(term, ++lastIndex, EntryType.NORMAL, p.data());
                entries.add(e);
                waiting.put(e.index(), p);
            } else if (o instanceof Runnable r) {
                if (tasks == null) tasks = new ArrayList<>();
                tasks.add(r);
            }
        }
        if (!entries.isEmpty()) {
            wal.save(new HardState(term, memberId, lastIndex), entries);
            wal.sync();
            commitIndex = lastIndex;
            for (Entry e : entries) {
                Object result;
                try {
                    result = applier.apply(e);
                } catch (EtcdException ex) {
                    result = ex;
                }
                appliedIndex = e.index();
                Proposal p = waiting.remove(e.index());
                if (p != null) p.complete(result);
            }
        }
        if (tasks != null) tasks.forEach(Runnable::run);
    }
}
