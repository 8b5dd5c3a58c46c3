package io.vetcd.server;

import io.vertx.core.Context;

import java.util.ArrayList;
import java.util.List;

/**
 * The answers one applied batch owes its proposers, handed over in one task per caller context
 * (an event loop) instead of one task per answer: fewer wake-ups of the event loops, and the
 * responses of a batch are written in one turn, so their flushes coalesce. Apply thread only.
 */
final class Answers {
    private final List<Proposal> proposals = new ArrayList<>();
    private final List<Object> results = new ArrayList<>();

    void add(Proposal p, Object result) {
        proposals.add(p);
        results.add(result);
    }

    /** Sends what was added, in order within each context, and starts over. */
    void send() {
        int n = proposals.size();
        if (n == 0) return;
        if (n == 1) {
            proposals.get(0).complete(results.get(0));
        } else {
            List<Context> contexts = new ArrayList<>(4);
            for (int i = 0; i < n; i++) {
                Context c = proposals.get(i).context();
                if (!contexts.contains(c)) contexts.add(c);
            }
            for (Context c : contexts) {
                List<Proposal> ps = new ArrayList<>();
                List<Object> rs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (proposals.get(i).context() != c) continue;
                    ps.add(proposals.get(i));
                    rs.add(results.get(i));
                }
                Runnable settle = () -> {
                    for (int i = 0; i < ps.size(); i++) ps.get(i).settle(rs.get(i));
                };
                if (c == null) settle.run();
                else c.runOnContext(v -> settle.run());
            }
        }
        proposals.clear();
        results.clear();
    }
}
