package io.vetcd.server;

import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;

import java.util.ArrayList;
import java.util.List;

/**
 * The answers one applied batch owes its proposers, handed over in one task per event loop
 * instead of one task per answer: fewer tasks and wake-ups of the event loops, and the responses
 * of a batch are written in one turn, so their flushes coalesce. Every gRPC call runs on a context
 * of its own (Vert.x duplicates the connection's context for each HTTP/2 stream), so grouping by
 * context gave one task per answer; the answers are grouped by the event loop their contexts run
 * on, and each is still settled on its own context (as {@code runOnContext} would), in batch
 * order. Worker contexts keep a task each (their executor is not an event loop). Apply thread only.
 */
final class Answers {
    private final List<Proposal> proposals = new ArrayList<>();
    private final List<Object> results = new ArrayList<>();

    void add(Proposal p, Object result) {
        proposals.add(p);
        results.add(result);
    }

    /** Sends what was added, in order within each event loop (or worker context), and starts over. */
    void send() {
        int n = proposals.size();
        if (n == 0) return;
        if (n == 1) {
            proposals.get(0).complete(results.get(0));
        } else {
            List<Object> loops = new ArrayList<>(4);
            for (int i = 0; i < n; i++) {
                Object loop = loopOf(proposals.get(i).context());
                if (!loops.contains(loop)) loops.add(loop);
            }
            for (Object loop : loops) {
                List<Proposal> ps = new ArrayList<>();
                List<Object> rs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (loopOf(proposals.get(i).context()) != loop) continue;
                    ps.add(proposals.get(i));
                    rs.add(results.get(i));
                }
                Context first = ps.get(0).context();
                if (first == null) {
                    for (int i = 0; i < ps.size(); i++) ps.get(i).settle(rs.get(i));
                } else if (first instanceof ContextInternal fi && loop != first) {
                    // one task on the event loop; each answer settled on its own context there
                    fi.executor().execute(() -> {
                        for (int i = 0; i < ps.size(); i++) {
                            Proposal p = ps.get(i);
                            Object r = rs.get(i);
                            ((ContextInternal) p.context()).dispatch(v -> p.settle(r));
                        }
                    });
                } else {
                    first.runOnContext(v -> {
                        for (int i = 0; i < ps.size(); i++) ps.get(i).settle(rs.get(i));
                    });
                }
            }
        }
        proposals.clear();
        results.clear();
    }

    /** What answers are grouped by: an event-loop context's event loop, else the context itself (null: none). */
    private static Object loopOf(Context c) {
        if (c instanceof ContextInternal ci && ci.isEventLoopContext()) return ci.nettyEventLoop();
        return c;
    }
}
