package io.vetcd.raft;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Leader-side ReadIndex bookkeeping. Each request records the commit index at arrival and waits for
 * heartbeat acks (carrying its context) from a quorum, which proves we were still leader after it
 * arrived. Requests are answered in arrival order: an ack for a later request also confirms earlier
 * ones, because the heartbeat round that carried it started after they arrived.
 */
final class PendingReads {
    /** One waiting request. {@code from} is the node that asked (ourselves or a forwarding follower). */
    static final class Request {
        final long index;
        final long from;
        final byte[] context;
        final Set<Long> acks = new HashSet<>();

        Request(long index, long from, byte[] context) {
            this.index = index;
            this.from = from;
            this.context = context;
        }
    }

    // ByteBuffer gives value-based equals/hashCode over the context bytes.
    private final Map<ByteBuffer, Request> byContext = new HashMap<>();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();

    /** Adds a request unless one with the same context is already waiting. */
    void add(long index, long from, byte[] context) {
        ByteBuffer key = ByteBuffer.wrap(context);
        if (byContext.containsKey(key)) return;
        Request r = new Request(index, from, context);
        byContext.put(key, r);
        queue.addLast(r);
    }

    /** Records an ack from {@code id}; returns the set of ackers so far, or null for an unknown context. */
    Set<Long> ack(long id, byte[] context) {
        Request r = byContext.get(ByteBuffer.wrap(context));
        if (r == null) return null;
        r.acks.add(id);
        return r.acks;
    }

    /** Removes and returns every request up to and including the one with {@code context}. */
    List<Request> releaseThrough(byte[] context) {
        ByteBuffer key = ByteBuffer.wrap(context);
        if (!byContext.containsKey(key)) return List.of();
        List<Request> out = new ArrayList<>();
        while (!queue.isEmpty()) {
            Request r = queue.removeFirst();
            byContext.remove(ByteBuffer.wrap(r.context));
            out.add(r);
            if (ByteBuffer.wrap(r.context).equals(key)) break;
        }
        return out;
    }

    /** Context of the newest waiting request (sent with every heartbeat), or null. */
    byte[] lastContext() { return queue.isEmpty() ? null : queue.peekLast().context; }

    void clear() {
        byContext.clear();
        queue.clear();
    }
}
