package io.vetcd.server.watch;

import io.vetcd.pb.mvcc.Event;

/**
 * One watch: what it observes and how far it has been served. {@code nextRev} and {@code synced}
 * belong to the {@link WatchHub}'s lock; everything else is fixed at creation or owned by the
 * stream's event loop.
 */
public final class Watcher {
    final long id;
    final WatchStream stream;
    final KeyRange range;
    final boolean noPut;
    final boolean noDelete;
    final boolean prevKv;
    final boolean progressNotify;
    final boolean fragment;

    /** The lowest revision this watcher has not been given yet (hub lock). */
    long nextRev;
    /** In the hub's index, receiving live events (hub lock). */
    boolean synced;
    /** Set once, on the stream's event loop; queued events of a canceled watcher are dropped. */
    volatile boolean canceled;
    /** Events were sent since the last progress tick (event loop), so the next tick stays quiet. */
    boolean sentSinceTick;

    Watcher(long id, WatchStream stream, KeyRange range, boolean noPut, boolean noDelete, boolean prevKv,
            boolean progressNotify, boolean fragment, long startRev) {
        this.id = id;
        this.stream = stream;
        this.range = range;
        this.noPut = noPut;
        this.noDelete = noDelete;
        this.prevKv = prevKv;
        this.progressNotify = progressNotify;
        this.fragment = fragment;
        this.nextRev = startRev;
    }

    /** The key range and the NOPUT/NODELETE filters. */
    boolean wants(Event e) {
        if (e.getType() == Event.EventType.PUT ? noPut : noDelete) return false;
        return range.contains(e.getKv().getKey());
    }

    public long id() { return id; }
}
