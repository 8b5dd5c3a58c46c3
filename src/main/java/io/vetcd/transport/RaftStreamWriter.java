package io.vetcd.transport;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vetcd.raft.Message;
import io.vetcd.server.ClusterIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One accepted {@code GET /raft/stream/...}: the response body that carries
 * our raft messages to the peer that dialed it.
 *
 * <p>{@link #offer} is called on the core thread and only enqueues; the
 * writing happens on the context of the verticle that accepted the request
 * (the connection's event loop), which owns everything else here. Memory is
 * bounded: when the connection's write queue is full (a slow or stopped peer)
 * messages are dropped and raft is told the peer is unreachable, so it
 * retransmits later from its log instead of us buffering without end.
 */
final class RaftStreamWriter {
    private static final Logger log = LoggerFactory.getLogger(RaftStreamWriter.class);
    /** Messages waiting for the event loop beyond this are dropped. */
    private static final int MAX_QUEUED = 4096;
    /** One write to the connection at most about this big, so a backlog is written in pieces. */
    private static final int MAX_WRITE_BYTES = 1 << 20;
    /** The connection's write queue; beyond this the peer is slow and messages are dropped. */
    static final int WRITE_QUEUE_BYTES = 8 << 20;
    /**
     * Link heartbeats keep an idle stream alive; the reader gives up after a few missed ones.
     * etcd writes one every ConnReadTimeout/3 (1.7 s) and its reader times out after 5 s.
     */
    static final long HEARTBEAT_MS = 1000;

    final long peerId;
    final StreamType type;
    private final Context context;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final OutgoingStreams owner;
    /** The stream type's framing; msgappv2's keeps state, so only the owning context writes through it. */
    private final StreamEncoder encoder;

    private final ConcurrentLinkedQueue<Message> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean closed;

    /** At most one "not keeping up" warning per this long: a catching-up peer flips between full and drained often. */
    private static final long SLOW_WARNING_INTERVAL_NANOS = 10_000_000_000L;

    // owned by context
    private boolean slow;
    private long lastSlowWarning = System.nanoTime() - SLOW_WARNING_INTERVAL_NANOS;
    private long droppedSinceWarning;
    private long heartbeatTimer = -1;

    RaftStreamWriter(long peerId, StreamType type, Context context, HttpServerRequest request, OutgoingStreams owner) {
        this.peerId = peerId;
        this.type = type;
        this.context = context;
        this.request = request;
        this.response = request.response();
        this.owner = owner;
        this.encoder = StreamEncoder.of(type);
    }

    /** On the accepting context: wires the response, starts heartbeats. */
    void start() {
        response.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
        response.closeHandler(v -> broken("connection closed"));
        response.exceptionHandler(e -> broken(String.valueOf(e.getMessage())));
        response.drainHandler(v -> slow = false);
        heartbeatTimer = context.owner().setPeriodic(HEARTBEAT_MS, id -> {
            if (!closed && !response.writeQueueFull()) {
                Buffer hb = Buffer.buffer(40);
                encoder.appendLinkHeartbeat(hb);
                response.write(hb);
                owner.streamed(peerId, 0, hb.length());
            }
        });
    }

    /**
     * Any thread (the core's): queues m for the peer. False if this stream is
     * closed and the caller should use another way; true if m was taken, which
     * includes being dropped because the peer is not keeping up.
     */
    boolean offer(Message m) {
        if (closed) return false;
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            owner.dropped(peerId, 1);
            return true;
        }
        queue.add(m);
        if (scheduled.compareAndSet(false, true)) context.runOnContext(v -> drain());
        return true;
    }

    boolean isOpen() {
        return !closed;
    }

    private void drain() {
        scheduled.set(false);
        if (closed) {
            discard();
            return;
        }
        if (response.closed()) {
            broken("connection closed");
            return;
        }
        if (response.writeQueueFull()) {
            int dropped = discard();
            droppedSinceWarning += dropped;
            if (!slow) {
                slow = true;
                long now = System.nanoTime();
                if (now - lastSlowWarning >= SLOW_WARNING_INTERVAL_NANOS) {
                    lastSlowWarning = now;
                    log.warn("peer {} is not keeping up with the {} stream; dropping raft messages while it is behind"
                        + " ({} dropped since the last warning)", ClusterIds.hex(peerId), type.pathSegment(), droppedSinceWarning);
                    droppedSinceWarning = 0;
                }
            }
            owner.dropped(peerId, dropped);
            owner.reportUnreachable(peerId);
            return;
        }
        Buffer out = Buffer.buffer();
        int n = 0;
        int bytes = 0;
        Message m;
        while ((m = queue.poll()) != null) {
            queued.decrementAndGet();
            encoder.append(out, m);
            n++;
            if (out.length() >= MAX_WRITE_BYTES) {
                bytes += out.length();
                response.write(out);
                out = Buffer.buffer();
                if (response.writeQueueFull()) break; // what is left waits for the next drain, which drops it
            }
        }
        if (out.length() > 0) {
            bytes += out.length();
            response.write(out);
        }
        owner.streamed(peerId, n, bytes);
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) context.runOnContext(v -> drain());
    }

    private int discard() {
        int n = 0;
        while (queue.poll() != null) {
            queued.decrementAndGet();
            n++;
        }
        return n;
    }

    /** The peer went away, or the connection failed. On the accepting context. */
    private void broken(String why) {
        if (closed) return;
        shut();
        if (owner.detach(this)) {
            log.warn("lost the {} stream to peer {}: {}", type.pathSegment(), ClusterIds.hex(peerId), why);
            owner.reportUnreachable(peerId);
        }
    }

    /** A newer stream from the same peer took over, or the member is stopping: close this one. Any thread. */
    void close() {
        context.runOnContext(v -> {
            if (closed) return;
            shut();
            request.connection().close();
        });
    }

    private void shut() {
        closed = true;
        if (heartbeatTimer >= 0) context.owner().cancelTimer(heartbeatTimer);
        discard();
    }
}
