package io.vetcd.server.watch;

import io.vertx.core.Context;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.pb.mvcc.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * One client watch stream (etcd's serverWatchStream): many watchers, each with its own id.
 *
 * <p>Runs on the event loop context it was opened on, except {@link #offer} and
 * {@link #fellBehind}, which the core thread calls. Live events cross over through a lock-free
 * queue bounded by {@link WatchOptions#maxQueuedBytesPerStream()}; when it is full, or the
 * transport reports its write queue full, the core drops the watcher to unsynced and this stream
 * catches it up from the revision log once the client reads again. So a slow client costs at most
 * that bound plus the transport's write queue, and it never delays the core or other streams.
 */
public final class WatchStream {
    private static final Logger log = LoggerFactory.getLogger(WatchStream.class);
    static final String ERR_EMPTY_RANGE = "mvcc: watcher range is empty";
    static final String ERR_DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";
    /** clientv3.InvalidWatchID: responses that belong to no watcher. */
    static final long INVALID_ID = -1;

    private record Delivery(Watcher watcher, long rev, List<Event> events, long bytes) {
        /** This delivery followed by {@code next} (the same watcher's later revision) as one. */
        Delivery then(Delivery next) {
            // the hub gives each delivery a list of its own, so it can grow in place
            List<Event> all = events instanceof ArrayList<Event> a ? a : new ArrayList<>(events);
            all.addAll(next.events);
            return new Delivery(watcher, next.rev, all, bytes + next.bytes);
        }
    }

    private final WatchHub hub;
    private final Context ctx;
    private final WatchSink sink;
    private final LongFunction<ResponseHeader> header;
    private final WatchOptions options;

    // event loop state
    private final Map<Long, Watcher> watchers = new HashMap<>();
    private final Set<Watcher> unsynced = new LinkedHashSet<>();
    private long nextId;
    private boolean catchingUp;
    private int eventsPerRead = 16;
    private long progressTimer = -1;
    private long headerRev = -1;
    /** A progress request waits for this stream's watchers to be synced (event loop). */
    private boolean progressDeferred;
    private ResponseHeader headerAtRev;
    private final EncodedResponses encoded = new EncodedResponses();

    // shared with the core thread
    private final ConcurrentLinkedQueue<Delivery> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile boolean full;
    private volatile boolean closed;

    public WatchStream(WatchHub hub, Context ctx, WatchSink sink, LongFunction<ResponseHeader> header) {
        this.hub = hub;
        hub.store().metrics().watchStreams.inc();
        this.ctx = ctx;
        this.sink = sink;
        this.header = header;
        this.options = hub.options();
        sink.drainHandler(this::onWritable);
    }

    // ---------------------------------------------------------------- requests (event loop)

    public void handle(WatchRequest r) {
        if (closed) return;
        switch (r.getRequestUnionCase()) {
            case CREATE_REQUEST -> create(r.getCreateRequest());
            case CANCEL_REQUEST -> cancel(r.getCancelRequest().getWatchId());
            case PROGRESS_REQUEST -> progressAll();
            default -> { } // etcd ignores what it does not know rather than failing the stream
        }
    }

    private void create(WatchCreateRequest c) {
        KeyRange range = KeyRange.of(c.getKey(), c.getRangeEnd());
        long wsrev = hub.lastRevision();
        String error = null;
        long id = c.getWatchId();
        if (range.isEmpty()) {
            error = ERR_EMPTY_RANGE;
        } else if (id == 0) { // clientv3.AutoWatchID
            while (watchers.containsKey(nextId)) nextId++;
            id = nextId++;
        } else if (watchers.containsKey(id)) {
            error = ERR_DUPLICATE_ID;
        }
        if (error != null) {
            send(WatchResponse.newBuilder().setHeader(header.apply(wsrev)).setWatchId(INVALID_ID)
                .setCreated(true).setCanceled(true).setCancelReason(error).build());
            return;
        }
        boolean noPut = false;
        boolean noDelete = false;
        for (WatchCreateRequest.FilterType f : c.getFiltersList()) {
            if (f == WatchCreateRequest.FilterType.NOPUT) noPut = true;
            if (f == WatchCreateRequest.FilterType.NODELETE) noDelete = true;
        }
        long start = c.getStartRevision() <= 0 ? wsrev + 1 : c.getStartRevision();
        Watcher w = new Watcher(id, this, range, noPut, noDelete, c.getPrevKv(), c.getProgressNotify(),
            c.getFragment(), start);
        watchers.put(id, w);
        // created goes out before anything the hub may queue for this watcher
        send(WatchResponse.newBuilder().setHeader(header.apply(wsrev)).setWatchId(id).setCreated(true).build());
        if (w.progressNotify) startProgressTimer();
        if (!hub.register(w)) {
            unsynced.add(w);
            catchUp();
        }
    }

    /** A create request the caller may not make (auth): created and canceled at once, with the reason. */
    public void refuseCreate(String reason) {
        if (closed) return;
        send(WatchResponse.newBuilder().setHeader(header.apply(hub.lastRevision())).setWatchId(INVALID_ID)
            .setCreated(true).setCanceled(true).setCancelReason(reason).build());
    }

    private void cancel(long id) {
        Watcher w = watchers.remove(id);
        if (w == null) return; // etcd answers nothing for an unknown id
        release(w);
        send(WatchResponse.newBuilder().setHeader(header.apply(hub.lastRevision())).setWatchId(id)
            .setCanceled(true).build());
        sendDeferredProgress(); // the watcher it waited for may be gone
    }

    /**
     * WatchProgressRequest: one response for the stream, watch_id -1. As etcd after 3.4.23 (3.4.26,
     * 3.5.8; Kubernetes relies on it), never ahead of events: while a watcher of this stream is
     * still catching up, the notification waits until all are synced, and then claims the revision
     * of that moment; requests made meanwhile share it.
     */
    private void progressAll() {
        progressDeferred = true;
        sendDeferredProgress();
    }

    /** Sends the deferred progress notification if every watcher is synced now. */
    private void sendDeferredProgress() {
        if (!progressDeferred || closed) return;
        long rev = hub.progressRevision(watchers.values());
        if (rev < 0) return;
        progressDeferred = false;
        drain(); // everything up to rev is queued: write it before claiming rev
        send(WatchResponse.newBuilder().setHeader(header.apply(rev)).setWatchId(INVALID_ID).build());
    }

    private void release(Watcher w) {
        w.canceled = true;
        unsynced.remove(w);
        hub.unregister(w);
    }

    /** The client is gone (stream reset, connection closed, write failed): free every watcher. */
    public void close() {
        if (io.vertx.core.Vertx.currentContext() == ctx) {
            doClose();
        } else {
            ctx.runOnContext(v -> doClose());
        }
    }

    private void doClose() {
        if (closed) return;
        closed = true;
        hub.store().metrics().watchStreams.dec();
        for (Watcher w : watchers.values()) release(w);
        watchers.clear();
        unsynced.clear();
        queue.clear();
        queuedBytes.set(0);
        if (progressTimer >= 0) ctx.owner().cancelTimer(progressTimer);
    }

    public boolean isClosed() { return closed; }

    public int watcherCount() { return watchers.size(); }

    // ---------------------------------------------------------------- live events (core thread)

    /** Core thread, under the hub lock: takes one revision's events for {@code w}, or refuses when full. */
    boolean offer(Watcher w, long rev, List<Event> events) {
        if (closed || w.canceled) return true; // nobody to deliver to
        if (full) return false;
        long bytes = 0;
        for (Event e : events) bytes += e.getSerializedSize();
        long queued = queuedBytes.get();
        if (queued > 0 && queued + bytes > options.maxQueuedBytesPerStream()) return false;
        queue.add(new Delivery(w, rev, events, bytes));
        queuedBytes.addAndGet(bytes);
        if (drainScheduled.compareAndSet(false, true)) ctx.runOnContext(v -> drain());
        return true;
    }

    /** Core thread: {@code w} was dropped to unsynced. */
    void fellBehind(Watcher w) {
        ctx.runOnContext(v -> {
            if (closed || w.canceled) return;
            unsynced.add(w);
            catchUp();
        });
    }

    // ---------------------------------------------------------------- writing (event loop)

    /**
     * Writes the queued live events. A watcher with several revisions queued gets them in one
     * response (header at the last one), as etcd's catch-up does: when this loop is behind, that
     * cuts the per-response cost on both ends instead of falling further behind.
     */
    private void drain() {
        drainScheduled.set(false);
        Map<Watcher, Delivery> merged = new LinkedHashMap<>();
        Delivery d;
        while ((d = queue.poll()) != null) {
            queuedBytes.addAndGet(-d.bytes());
            Delivery prev = merged.putIfAbsent(d.watcher(), d);
            if (prev != null) merged.put(d.watcher(), prev.then(d));
        }
        for (Delivery m : merged.values()) {
            if (!closed && !m.watcher().canceled) sendEvents(m.watcher(), m.rev(), m.events());
        }
        encoded.clear();
        flush();
        full = sink.writeQueueFull();
    }

    private void onWritable() {
        full = false;
        catchUp();
    }

    private void sendEvents(Watcher w, long rev, List<Event> events) {
        w.sentSinceTick = true;
        if (!w.fragment && sink.takesEncoded()) {
            if (closed) return;
            hub.store().metrics().eventsSent(events.size());
            sink.writeEncoded(encoded.response(rev, headerFor(rev), w.id, events, w.prevKv)).onFailure(e -> doClose());
            return;
        }
        WatchResponse.Builder b = WatchResponse.newBuilder().setHeader(headerFor(rev)).setWatchId(w.id);
        for (Event e : events) {
            b.addEvents(!w.prevKv && e.hasPrevKv() ? e.toBuilder().clearPrevKv().build() : e);
        }
        WatchResponse r = b.build();
        if (w.fragment) Fragmenter.send(r, options.maxRequestBytes(), this::send);
        else send(r);
    }

    /** One revision's events go to many watchers in a row: build their header once. */
    private ResponseHeader headerFor(long rev) {
        if (rev != headerRev || headerAtRev == null) {
            headerAtRev = header.apply(rev);
            headerRev = rev;
        }
        return headerAtRev;
    }

    /** Sends the encoded responses the sink holds (each batch of sends ends here). */
    private void flush() {
        if (!closed) sink.flush().onFailure(e -> doClose());
    }

    private void send(WatchResponse r) {
        if (closed) return;
        if (r.getEventsCount() > 0) hub.store().metrics().eventsSent(r.getEventsCount());
        sink.write(r).onFailure(e -> doClose());
    }

    // ---------------------------------------------------------------- catch-up (event loop + worker)

    /** Reads the next chunk of history for the unsynced watchers, unless one is in flight or the client is not reading. */
    private void catchUp() {
        if (closed || catchingUp || unsynced.isEmpty()) return;
        if (sink.writeQueueFull()) {
            full = true; // the drain handler calls back
            return;
        }
        catchingUp = true;
        List<Watcher> targets = new ArrayList<>(unsynced);
        long[] from = new long[targets.size()];
        for (int i = 0; i < from.length; i++) from[i] = hub.nextRev(targets.get(i));
        int limit = eventsPerRead;
        ctx.executeBlocking(() -> HistoryChunk.read(hub.store(), from, limit), false).onComplete(ar -> {
            catchingUp = false;
            if (closed) return;
            if (ar.failed()) {
                log.warn("watch catch-up read failed; closing the stream", ar.cause());
                doClose();
                return;
            }
            deliver(targets, from, ar.result());
            catchUp();
        });
    }

    private void deliver(List<Watcher> targets, long[] from, HistoryChunk chunk) {
        drain(); // live events queued before these watchers fell behind come first
        for (int i = 0; i < targets.size(); i++) {
            Watcher w = targets.get(i);
            if (w.canceled || !unsynced.contains(w)) continue;
            if (from[i] < chunk.compactRevision()) {
                // etcd: the compacted response has no header revision and cancels the watcher
                watchers.remove(w.id);
                release(w);
                send(WatchResponse.newBuilder().setHeader(header.apply(0)).setWatchId(w.id)
                    .setCompactRevision(chunk.compactRevision()).setCanceled(true).build());
                continue;
            }
            List<Event> mine = new ArrayList<>();
            for (Event e : chunk.events()) {
                if (e.getKv().getModRevision() >= from[i] && w.wants(e)) mine.add(e);
            }
            // header = the store's revision when history was read, as etcd's syncWatchers (its curRev),
            // even when this chunk ends before it (etcd reads all of it at once)
            if (!mine.isEmpty()) sendEvents(w, chunk.storeRevision(), mine);
            // an in-process sink may have closed the stream while handling those events
            if (closed) return;
            if (w.canceled) continue;
            hub.advance(w, chunk.readThrough() + 1);
            if (hub.trySync(w)) unsynced.remove(w);
        }
        encoded.clear();
        flush();
        sendDeferredProgress(); // a watcher may have just become synced
        if (chunk.bytes() > options.catchUpReadBytes()) eventsPerRead = Math.max(1, eventsPerRead / 2);
        else if (chunk.events().size() >= eventsPerRead && chunk.bytes() < options.catchUpReadBytes() / 2)
            eventsPerRead = Math.min(8192, eventsPerRead * 2);
        full = sink.writeQueueFull();
    }

    // ---------------------------------------------------------------- progress notifications (event loop)

    private void startProgressTimer() {
        if (progressTimer >= 0 || closed) return;
        long ms = Math.max(1, options.progressNotifyInterval().toMillis());
        // etcd adds up to 10% jitter so that watchers created together do not tick together
        long jittered = ms + ThreadLocalRandom.current().nextLong(Math.max(1, ms / 10));
        progressTimer = ctx.owner().setPeriodic(jittered, t -> ctx.runOnContext(v -> progressTick()));
    }

    /** Watchers with progress_notify that got no events since the last tick learn the current revision. */
    private void progressTick() {
        if (closed) return;
        List<Watcher> quiet = new ArrayList<>();
        for (Watcher w : watchers.values()) {
            if (!w.progressNotify) continue;
            if (!w.sentSinceTick) quiet.add(w);
            w.sentSinceTick = false;
        }
        if (quiet.isEmpty()) return;
        long rev = hub.lastRevision();
        List<Watcher> synced = new ArrayList<>();
        for (Watcher w : quiet) if (hub.isSynced(w)) synced.add(w); // an unsynced watcher is behind rev
        drain();
        for (Watcher w : synced) {
            if (!w.canceled) send(WatchResponse.newBuilder().setHeader(header.apply(rev)).setWatchId(w.id).build());
        }
    }
}
