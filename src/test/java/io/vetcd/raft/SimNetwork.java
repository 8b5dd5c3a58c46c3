package io.vetcd.raft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A deterministic, seeded network. Each message gets a delivery time (so random delays reorder them),
 * may be dropped or duplicated, and is discarded if its direction is cut (cuts are one-way, so
 * asymmetric partitions are possible). Ordering ties are broken by send sequence, never by hashing.
 */
final class SimNetwork {
    private record InFlight(long deliverAt, long seq, Message msg) {}

    private final PriorityQueue<InFlight> queue = new PriorityQueue<>((a, b) ->
        a.deliverAt != b.deliverAt ? Long.compare(a.deliverAt, b.deliverAt) : Long.compare(a.seq, b.seq));
    private final SplittableRandom rng;
    private final Set<Long> cuts = new HashSet<>();
    private long seq;

    double dropRate;
    double dupRate;
    /** Delays are uniform in [1, maxDelay] time units. */
    int maxDelay;
    /** Round-trip this fraction of messages through the wire codec, to exercise it under load. */
    double codecRate;

    SimNetwork(SplittableRandom rng, double dropRate, double dupRate, int maxDelay, double codecRate) {
        this.rng = rng;
        this.dropRate = dropRate;
        this.dupRate = dupRate;
        this.maxDelay = maxDelay;
        this.codecRate = codecRate;
    }

    private static long key(long from, long to) { return from * 1_000_003L + to; }

    /** Stops delivery from {@code from} to {@code to} (one direction only). */
    void cut(long from, long to) { cuts.add(key(from, to)); }

    boolean isCut(long from, long to) { return cuts.contains(key(from, to)); }

    void isolate(long id, Iterable<Long> others) {
        for (long o : others) {
            if (o == id) continue;
            cut(id, o);
            cut(o, id);
        }
    }

    void healPartitions() { cuts.clear(); }

    void reliable() {
        dropRate = 0;
        dupRate = 0;
    }

    /** Returns false if the message was lost (cut or dropped); the sender may be told it was unreachable. */
    boolean send(Message m, long now) {
        if (isCut(m.from(), m.to())) return false;
        if (dropRate > 0 && rng.nextDouble() < dropRate) return false;
        enqueue(m, now);
        if (dupRate > 0 && rng.nextDouble() < dupRate) enqueue(m, now);
        return true;
    }

    private void enqueue(Message m, long now) {
        Message wire = m;
        if (codecRate > 0 && rng.nextDouble() < codecRate) wire = MessageCodec.decode(MessageCodec.encode(m));
        queue.add(new InFlight(now + 1 + rng.nextInt(maxDelay), seq++, wire));
    }

    /** Removes and returns the messages due by {@code now}, in delivery order. */
    List<Message> due(long now) {
        List<Message> out = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().deliverAt <= now) out.add(queue.poll().msg);
        return out;
    }

    int inFlight() { return queue.size(); }
}
