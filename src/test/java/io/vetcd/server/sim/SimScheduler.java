package io.vetcd.server.sim;

import java.util.ArrayDeque;
import java.util.PriorityQueue;

/**
 * The simulation's only source of time and order: a queue of events in virtual nanoseconds, ties
 * broken by the order they were scheduled (never by hashing or threads), so a seed fixes the whole
 * run. Keeps the last events' labels for the failure report.
 */
final class SimScheduler {
    private record Event(long at, long seq, String label, Runnable action) { }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
        a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private final int traceLength;
    private long now;
    private long seq;
    long executed;

    SimScheduler(int traceLength) {
        this.traceLength = traceLength;
    }

    /** Virtual time, nanoseconds since the start of the run. */
    long now() { return now; }

    void after(long delayNanos, String label, Runnable action) {
        queue.add(new Event(now + Math.max(0, delayNanos), seq++, label, action));
    }

    /** Runs the next event; false when nothing is left or the next one is after {@code until}. */
    boolean runNext(long until) {
        Event e = queue.peek();
        if (e == null || e.at > until) return false;
        queue.poll();
        now = e.at;
        executed++;
        if (traceLength > 0) {
            if (trace.size() == traceLength) trace.removeFirst();
            trace.addLast(String.format("%10.3f ms  %s", now / 1e6, e.label));
        }
        e.action.run();
        ServerInvariants.rethrowRecorded();
        return true;
    }

    /** Moves time forward to {@code t} when nothing is due before it. */
    void advanceTo(long t) {
        if (t > now) now = t;
    }

    String trace() { return String.join("\n", trace); }
}
