package io.vetcd.transport;

import io.vetcd.metrics.NetworkMetrics;
import io.vetcd.raft.Message;
import io.vetcd.server.ClusterIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The streams peers have dialed to receive our raft messages, at most one per
 * peer and type. Shared by every peer verticle instance (which accept and own
 * the writers) and the sender (which offers messages from the core thread);
 * the table itself is the only shared state, a concurrent map.
 */
public final class OutgoingStreams {
    private static final Logger log = LoggerFactory.getLogger(OutgoingStreams.class);

    private final long localId;
    private final NetworkMetrics metrics;
    private final LongConsumer unreachable;
    private final Map<StreamType, ConcurrentHashMap<Long, RaftStreamWriter>> writers = new EnumMap<>(StreamType.class);
    private final AtomicLong streamed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean stopped;

    /** {@code unreachable}: tells raft a peer did not get what we sent (any thread). */
    public OutgoingStreams(long localId, NetworkMetrics metrics, LongConsumer unreachable) {
        this.localId = localId;
        this.metrics = metrics;
        this.unreachable = unreachable;
        for (StreamType t : StreamType.values()) writers.put(t, new ConcurrentHashMap<>());
    }

    /**
     * Core thread: sends m over a stream to its receiver if one is up, as etcd
     * picks: appends on msgapp, else anything on message. False means no
     * stream is up and the caller posts m instead.
     */
    public boolean offer(Message m) {
        if (StreamType.preferredFor(m) == StreamType.MSGAPP) {
            RaftStreamWriter w = writers.get(StreamType.MSGAPP).get(m.to());
            if (w != null && w.offer(m)) return true;
        }
        RaftStreamWriter w = writers.get(StreamType.MESSAGE).get(m.to());
        return w != null && w.offer(m);
    }

    /** Whether a stream of this type to the peer is up. */
    public boolean isUp(long peerId, StreamType type) {
        RaftStreamWriter w = writers.get(type).get(peerId);
        return w != null && w.isOpen();
    }

    /** Messages written to streams so far. */
    public long messagesStreamed() {
        return streamed.get();
    }

    /** Messages dropped because a peer's stream was not keeping up. */
    public long messagesDropped() {
        return dropped.get();
    }

    /** Makes w the peer's stream of its type; an older one is closed, as etcd does. */
    void attach(RaftStreamWriter w) {
        if (stopped) {
            w.close();
            return;
        }
        w.start();
        RaftStreamWriter old = writers.get(w.type).put(w.peerId, w);
        metrics.peerActive(localId, w.peerId);
        if (old != null) {
            old.close();
            log.info("replaced the {} stream to peer {} with a newer one", w.type.pathSegment(), ClusterIds.hex(w.peerId));
        } else {
            log.info("established the {} stream to peer {}", w.type.pathSegment(), ClusterIds.hex(w.peerId));
        }
    }

    /** True if w was the peer's current stream (and is no more); a lost stream counts as a failed send, as in etcd. */
    boolean detach(RaftStreamWriter w) {
        boolean was = writers.get(w.type).remove(w.peerId, w);
        if (was) {
            metrics.peer(w.peerId).sentFailures.inc();
            metrics.peerInactive(localId, w.peerId);
        }
        return was;
    }

    void streamed(long peerId, int messages, int bytes) {
        streamed.addAndGet(messages);
        metrics.streamWrites.inc();
        metrics.peer(peerId).sentBytes.add(bytes);
    }

    /** Dropped messages are failed sends in etcd's metrics. */
    void dropped(long peerId, int n) {
        if (n == 0) return;
        dropped.addAndGet(n);
        metrics.peer(peerId).sentFailures.add(n);
    }

    void reportUnreachable(long peerId) {
        unreachable.accept(peerId);
    }

    /** The member is stopping: close every stream and accept no more. */
    public void close() {
        stopped = true;
        for (var byPeer : writers.values()) {
            for (RaftStreamWriter w : byPeer.values()) w.close();
            byPeer.clear();
        }
    }
}
