package io.vetcd.faults;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.vetcd.faults.RegisterOp.casFailed;
import static io.vetcd.faults.RegisterOp.casOk;
import static io.vetcd.faults.RegisterOp.casUnknown;
import static io.vetcd.faults.RegisterOp.get;
import static io.vetcd.faults.RegisterOp.put;
import static io.vetcd.faults.RegisterOp.putUnknown;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@org.junit.jupiter.api.Timeout(120)
class LinearizabilityCheckerTest {
    static final String K = "k";

    static Linearizability.Verdict verdict(RegisterOp... ops) {
        return History.check(List.of(ops), 0).verdict();
    }

    static void linearizable(RegisterOp... ops) {
        assertEquals(Linearizability.Verdict.OK, verdict(ops), List.of(ops).toString());
    }

    static void notLinearizable(RegisterOp... ops) {
        assertEquals(Linearizability.Verdict.ILLEGAL, verdict(ops), List.of(ops).toString());
    }

    @Test
    void acceptsLinearizableHistories() {
        linearizable(); // empty
        linearizable(get(0, K, null, 0, 0, 1));
        // sequential
        linearizable(put(0, K, "a", 2, 0, 10), get(1, K, "a", 2, 20, 30));
        // a read concurrent with a write may see either side
        linearizable(put(0, K, "a", 2, 0, 10), get(1, K, null, 0, 5, 8));
        linearizable(put(0, K, "a", 2, 0, 10), get(1, K, "a", 2, 5, 8));
        // reads can be reordered against each other only within overlaps
        linearizable(put(0, K, "a", 2, 0, 100), get(1, K, "a", 2, 10, 20), get(2, K, null, 0, 5, 30));
        // an unknown put that took effect later than anyone could tell
        linearizable(put(0, K, "a", 2, 0, 10), putUnknown(1, K, "b", 5), get(2, K, "a", 2, 20, 30),
            get(2, K, "b", 7, 40, 50), get(0, K, "b", 7, 60, 70));
        // an unknown put that never took effect
        linearizable(put(0, K, "a", 2, 0, 10), putUnknown(1, K, "b", 5), get(2, K, "a", 2, 20, 30),
            get(2, K, "a", 2, 40, 50));
        // compare-and-swap: success, then a failed cas that reads the current value
        linearizable(put(0, K, "a", 2, 0, 10), get(1, K, "a", 2, 20, 30), casOk(1, K, 2, "a", "b", 3, 40, 50),
            casFailed(2, K, 2, "a", "c", "b", 3, 60, 70));
        // two concurrent cas from the same expectation: one wins, the other fails seeing the winner
        linearizable(put(0, K, "a", 2, 0, 10), casOk(1, K, 2, "a", "b", 5, 20, 40),
            casFailed(2, K, 2, "a", "c", "b", 5, 25, 45));
        // an unknown cas that applied, seen later (its revision is learnt by the read)
        linearizable(put(0, K, "a", 2, 0, 10), casUnknown(1, K, 2, "a", "b", 20), get(2, K, "b", 9, 40, 50),
            casOk(2, K, 9, "b", "c", 10, 60, 70));
        // separate keys are independent
        linearizable(put(0, "x", "a", 2, 0, 10), put(1, "y", "b", 3, 20, 30), get(2, "x", "a", 2, 40, 50),
            get(2, "y", "b", 3, 60, 70));
    }

    @Test
    void rejectsNonLinearizableHistories() {
        // a completed write is not visible to a later read
        notLinearizable(put(0, K, "a", 2, 0, 10), get(1, K, null, 0, 20, 30));
        // stale read
        notLinearizable(put(0, K, "a", 2, 0, 10), put(0, K, "b", 3, 20, 30), get(1, K, "a", 2, 40, 50));
        // reads go back in time
        notLinearizable(put(0, K, "a", 2, 0, 10), put(1, K, "b", 3, 5, 100), get(2, K, "b", 3, 20, 30),
            get(3, K, "a", 2, 40, 50));
        // an unknown write seen, then the value before it again
        notLinearizable(put(0, K, "a", 2, 0, 10), putUnknown(1, K, "b", 5), get(2, K, "b", 7, 20, 30),
            get(2, K, "a", 2, 40, 50));
        // a value nobody wrote
        notLinearizable(put(0, K, "a", 2, 0, 10), putUnknown(1, K, "b", 5), get(2, K, "z", 7, 20, 30));
        // the right value with the wrong mod_revision
        notLinearizable(put(0, K, "a", 2, 0, 10), get(1, K, "a", 3, 20, 30));
        // lost update: two cas from the same expectation both succeed
        notLinearizable(put(0, K, "a", 2, 0, 10), casOk(1, K, 2, "a", "b", 5, 20, 40), casOk(2, K, 2, "a", "c", 6, 25, 45));
        // a cas fails although nothing changed the value it expected
        notLinearizable(put(0, K, "a", 2, 0, 10), casFailed(1, K, 2, "a", "b", "a", 2, 20, 30));
        // an unknown cas whose expectation never held cannot have applied
        notLinearizable(put(0, K, "a", 2, 0, 10), put(0, K, "b", 3, 20, 30), casUnknown(1, K, 2, "a", "c", 40),
            get(2, K, "c", 9, 50, 60));
        // one bad key makes the whole history illegal
        assertEquals(Linearizability.Verdict.ILLEGAL, History.check(List.of(put(0, "x", "a", 2, 0, 10),
            get(1, "x", "a", 2, 20, 30), put(0, "y", "a", 4, 0, 10), get(1, "y", null, 0, 20, 30)), 0).verdict());
    }

    // ---- randomized: histories generated from a real sequential execution ----

    /** Ops with a hidden linearization point inside [call, ret], applied in that order to a real register. */
    static List<RegisterOp> generate(Random rnd, int clients, int opsPerClient, int keys, double unknownRate) {
        record Planned(int client, int seq, String key, RegisterOp.Kind kind, long call, long point, long ret) {}
        List<Planned> plan = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long t = rnd.nextInt(20);
            for (int i = 0; i < opsPerClient; i++) {
                long call = t + rnd.nextInt(10);
                long dur = 1 + rnd.nextInt(40);
                long point = call + rnd.nextLong(dur);
                long ret = call + dur;
                RegisterOp.Kind kind = RegisterOp.Kind.values()[rnd.nextInt(3)];
                plan.add(new Planned(c, i, "k" + rnd.nextInt(keys), kind, call, point, ret));
                t = ret + 1;
            }
        }
        plan.sort(Comparator.comparingLong(Planned::point));
        Map<String, RegisterOp.Model.State> real = new HashMap<>();
        Map<String, RegisterOp.Model.State> seen = new HashMap<>(); // client|key -> last state the client saw
        long revision = 1;
        int values = 0;
        List<RegisterOp> out = new ArrayList<>();
        for (Planned p : plan) {
            RegisterOp.Model.State cur = real.getOrDefault(p.key(), new RegisterOp.Model.State(null, 0));
            boolean unknown = p.kind() != RegisterOp.Kind.GET && rnd.nextDouble() < unknownRate;
            boolean applies = !unknown || rnd.nextBoolean();
            String v = "v" + (values++);
            switch (p.kind()) {
                case GET -> {
                    out.add(get(p.client(), p.key(), cur.value(), cur.rev(), p.call(), p.ret()));
                    seen.put(p.client() + "|" + p.key(), cur);
                }
                case PUT -> {
                    if (applies) real.put(p.key(), new RegisterOp.Model.State(v, ++revision));
                    out.add(unknown ? putUnknown(p.client(), p.key(), v, p.call())
                        : put(p.client(), p.key(), v, revision, p.call(), p.ret()));
                }
                case CAS -> {
                    RegisterOp.Model.State exp = seen.getOrDefault(p.client() + "|" + p.key(), new RegisterOp.Model.State(null, 0));
                    boolean match = exp.rev() == cur.rev();
                    if (unknown) {
                        if (applies && match) real.put(p.key(), new RegisterOp.Model.State(v, ++revision));
                        out.add(casUnknown(p.client(), p.key(), exp.rev(), exp.value(), v, p.call()));
                    } else if (match) {
                        real.put(p.key(), new RegisterOp.Model.State(v, ++revision));
                        out.add(casOk(p.client(), p.key(), exp.rev(), exp.value(), v, revision, p.call(), p.ret()));
                        seen.put(p.client() + "|" + p.key(), new RegisterOp.Model.State(v, revision));
                    } else {
                        out.add(casFailed(p.client(), p.key(), exp.rev(), exp.value(), v, cur.value(), cur.rev(), p.call(), p.ret()));
                        seen.put(p.client() + "|" + p.key(), cur);
                    }
                }
            }
        }
        return out;
    }

    /** Makes one read stale: it returns w1's value although w2 overwrote it strictly before the read began. */
    static List<RegisterOp> staleRead(Random rnd, List<RegisterOp> ops) {
        List<int[]> candidates = new ArrayList<>();
        for (int g = 0; g < ops.size(); g++) {
            RegisterOp read = ops.get(g);
            if (read.kind() != RegisterOp.Kind.GET) continue;
            for (int w1 = 0; w1 < ops.size(); w1++) {
                RegisterOp a = ops.get(w1);
                if (!writes(a, read.key()) || a.ret() >= read.call() || a.value().equals(read.readValue())) continue;
                for (RegisterOp b : ops) {
                    if (writes(b, read.key()) && b != a && a.ret() < b.call() && b.ret() < read.call()) {
                        candidates.add(new int[] {g, w1});
                        break;
                    }
                }
            }
        }
        if (candidates.isEmpty()) return null;
        int[] c = candidates.get(rnd.nextInt(candidates.size()));
        List<RegisterOp> copy = new ArrayList<>(ops);
        RegisterOp w = ops.get(c[1]);
        copy.set(c[0], ops.get(c[0]).withRead(w.value(), w.rev()));
        return copy;
    }

    static boolean writes(RegisterOp o, String key) {
        return o.key().equals(key) && o.outcome() == RegisterOp.Outcome.OK && o.kind() != RegisterOp.Kind.GET;
    }

    @Test
    void randomSequentialExecutionsAreLinearizableAndStaleReadsAreNot() {
        int mutated = 0;
        for (int seed = 0; seed < 300; seed++) {
            Random rnd = new Random(seed);
            List<RegisterOp> h = generate(rnd, 2 + rnd.nextInt(5), 5 + rnd.nextInt(40), 1 + rnd.nextInt(3), 0.15);
            var r = History.check(h, 0);
            assertEquals(Linearizability.Verdict.OK, r.verdict(), "seed " + seed + ": " + h);
            List<RegisterOp> bad = staleRead(rnd, h);
            if (bad == null) continue;
            mutated++;
            assertEquals(Linearizability.Verdict.ILLEGAL, History.check(bad, 0).verdict(), "mutated seed " + seed);
        }
        assertTrue(mutated > 200, "enough mutated histories: " + mutated);
    }

    @Test
    void manyUnknownWritesStayTractable() {
        Random rnd = new Random(42);
        List<RegisterOp> h = generate(rnd, 10, 200, 1, 0.05);
        long t0 = System.nanoTime();
        var r = History.check(h, 50_000_000);
        assertEquals(Linearizability.Verdict.OK, r.verdict());
        System.out.printf("2000 ops on one key, ~5%% unknown: %d ms, %d steps%n", (System.nanoTime() - t0) / 1_000_000,
            r.partitions().get(0).steps());
    }
}
