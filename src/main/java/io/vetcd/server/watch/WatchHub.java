package io.vetcd.server.watch;

import io.vetcd.mvcc.Changes;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.mvcc.Event;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The member's watch dispatcher (etcd's watchableStore). {@link #onChanges} runs on the core thread
 * once per committed revision; it never blocks and never waits for a client: a watcher whose stream
 * is full is moved to unsynced and caught up from the store later by its stream.
 *
 * <p>{@code lastRev} (the last revision handed to the synced watchers) and each watcher's
 * {@code nextRev}/{@code synced} change only under this object's lock. A watcher joins the synced
 * set only when {@code nextRev > lastRev}: every later revision then reaches it through
 * {@link #onChanges}, which skips revisions below {@code nextRev} (those a catch-up read already
 * delivered). That is the whole no-gap, no-duplicate argument.
 */
public final class WatchHub {
    private final MvccStore store;
    private final WatchOptions options;
    private final WatcherIndex synced = new WatcherIndex();
    private final AtomicInteger watchers = new AtomicInteger();
    private long lastRev;

    public WatchHub(MvccStore store, WatchOptions options) {
        this.store = store;
        this.options = options;
        synchronized (this) {
            lastRev = store.currentRevision();
        }
        store.addChangeListener(this::onChanges);
    }

    public MvccStore store() { return store; }
    public WatchOptions options() { return options; }

    /** The last revision dispatched to synced watchers: everything up to it is in their streams' queues. */
    public synchronized long lastRevision() { return lastRev; }

    /** Watchers open on this member (synced or not). */
    public int watcherCount() { return watchers.get(); }

    /** Synced watchers (in the index). */
    public synchronized int syncedCount() { return synced.size(); }

    /** Core thread: one committed revision. */
    void onChanges(Changes c) {
        long rev = c.revision();
        List<Watcher> needCatchUp = null;
        synchronized (this) {
            lastRev = rev;
            if (synced.isEmpty() || c.events().isEmpty()) return;
            Map<Watcher, List<Event>> matched = new IdentityHashMap<>();
            List<Watcher> order = new ArrayList<>();
            // puts are committed without prev_kv: read once per event, for the watchers that ask
            Map<Event, Event> withPrevKv = new IdentityHashMap<>();
            for (Event e : c.events()) {
                synced.forEachMatching(e.getKv().getKey(), w -> {
                    if (!w.wants(e)) return;
                    List<Event> l = matched.get(w);
                    if (l == null) {
                        l = new ArrayList<>(2);
                        matched.put(w, l);
                        order.add(w);
                    }
                    l.add(w.prevKv ? withPrevKv.computeIfAbsent(e, store::withPrevKv) : e);
                });
            }
            for (Watcher w : order) {
                if (w.nextRev > rev) continue; // a catch-up read already delivered this revision
                if (w.stream.offer(w, rev, matched.get(w))) {
                    w.nextRev = rev + 1;
                } else {
                    synced.remove(w);
                    w.synced = false;
                    w.nextRev = rev;
                    if (needCatchUp == null) needCatchUp = new ArrayList<>();
                    needCatchUp.add(w);
                }
            }
        }
        if (needCatchUp != null) {
            for (Watcher w : needCatchUp) w.stream.fellBehind(w);
        }
    }

    /**
     * Core thread, after the store's contents were replaced by a leader's snapshot (which does
     * not produce change events): every synced watcher falls behind and is caught up from the
     * new history, so none misses a revision (or gets the compacted error if it must).
     */
    public void afterRestore() {
        List<Watcher> behind;
        synchronized (this) {
            lastRev = store.currentRevision();
            behind = new ArrayList<>();
            synced.forEach(behind::add);
            for (Watcher w : behind) {
                synced.remove(w);
                w.synced = false;
            }
        }
        for (Watcher w : behind) w.stream.fellBehind(w);
    }

    /**
     * Registers a new watcher: synced if it starts after {@code lastRev}, else the caller must
     * catch it up. Returns whether it is synced.
     */
    synchronized boolean register(Watcher w) {
        watchers.incrementAndGet();
        return trySync(w);
    }

    /** Joins the synced set if nothing between {@code nextRev} and {@code lastRev} is missing. */
    synchronized boolean trySync(Watcher w) {
        if (w.canceled) return false;
        if (w.nextRev > lastRev) {
            w.synced = true;
            synced.add(w);
            return true;
        }
        return false;
    }

    synchronized long nextRev(Watcher w) { return w.nextRev; }

    synchronized void advance(Watcher w, long nextRev) {
        if (!w.synced) w.nextRev = Math.max(w.nextRev, nextRev);
    }

    synchronized boolean isSynced(Watcher w) { return w.synced; }

    /**
     * The revision a stream may claim in a progress notification: the last dispatched revision if
     * every one of its watchers is synced (then all their events up to it are in the stream's
     * queue), else -1 (one is still catching up and holds events at or below it). One lock, so a
     * watcher cannot fall behind between the two reads.
     */
    synchronized long progressRevision(Iterable<Watcher> streamWatchers) {
        for (Watcher w : streamWatchers) {
            if (!w.canceled && !w.synced) return -1;
        }
        return lastRev;
    }

    synchronized void unregister(Watcher w) {
        if (w.synced) {
            synced.remove(w);
            w.synced = false;
        }
        watchers.decrementAndGet();
    }
}
