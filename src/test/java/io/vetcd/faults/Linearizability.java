package io.vetcd.faults;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A linearizability checker: the Wing–Gong–Lowe search with the optimisations
 * Porcupine uses. The history is partitioned (by key); within a partition,
 * call and return entries are kept in a doubly-linked list sorted by time, a
 * call is "lifted" out of the list (with its return) when it is linearized and
 * "unlifted" on backtrack, and every (linearized-set bitset, model state) pair
 * already explored is memoised so it is never explored twice.
 *
 * An operation whose outcome is unknown (timed out, connection lost) has
 * return time +∞: it is concurrent with everything after its call and may be
 * linearized anywhere after it, including after every other operation, where
 * its effect is unobservable. The model's step for such an operation must
 * therefore accept every state.
 */
public final class Linearizability {
    private Linearizability() {}

    /** A sequential specification. States must implement equals/hashCode. */
    public interface Model<S, O> {
        S init();

        /** The state after {@code op} in state {@code s}, or null if op's observed result is impossible in s. */
        S step(S s, O op);
    }

    /** What a check found for one partition. */
    public enum Verdict { OK, ILLEGAL, UNKNOWN }

    public record PartitionResult<O>(String partition, Verdict verdict, int ops, long steps,
                                     List<O> longestPrefix) {}

    public record Result<O>(Verdict verdict, List<PartitionResult<O>> partitions) {
        public boolean ok() { return verdict == Verdict.OK; }

        public List<PartitionResult<O>> illegal() {
            return partitions.stream().filter(p -> p.verdict() == Verdict.ILLEGAL).toList();
        }
    }

    /** A timed operation: call and return times (ret = Long.MAX_VALUE for an unknown outcome). */
    public interface Timed {
        long call();

        long ret();
    }

    /**
     * Checks every partition; {@code stepBudget} bounds the search per
     * partition (0 = unbounded), after which the verdict is UNKNOWN.
     */
    public static <S, O extends Timed> Result<O> check(Model<S, O> model, List<O> history,
                                                       Function<O, String> partitionBy, long stepBudget) {
        Map<String, List<O>> parts = new LinkedHashMap<>();
        for (O o : history) parts.computeIfAbsent(partitionBy.apply(o), k -> new ArrayList<>()).add(o);
        List<PartitionResult<O>> results = new ArrayList<>();
        Verdict overall = Verdict.OK;
        for (var e : parts.entrySet()) {
            PartitionResult<O> r = checkPartition(model, e.getKey(), e.getValue(), stepBudget);
            results.add(r);
            if (r.verdict() == Verdict.ILLEGAL) overall = Verdict.ILLEGAL;
            else if (r.verdict() == Verdict.UNKNOWN && overall == Verdict.OK) overall = Verdict.UNKNOWN;
        }
        return new Result<>(overall, results);
    }

    public static <S, O extends Timed> Result<O> check(Model<S, O> model, List<O> history, Function<O, String> partitionBy) {
        return check(model, history, partitionBy, 0);
    }

    // ---- the doubly-linked entry list ----

    private static final class Entry<O> {
        final boolean isCall;
        final long time;
        final int id;
        final O op;
        Entry<O> match; // call -> its return
        Entry<O> prev;
        Entry<O> next;

        Entry(boolean isCall, long time, int id, O op) {
            this.isCall = isCall;
            this.time = time;
            this.id = id;
            this.op = op;
        }
    }

    /** Removes a call and its return from the list. */
    private static <O> void lift(Entry<O> call) {
        call.prev.next = call.next;
        call.next.prev = call.prev;
        Entry<O> ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) ret.next.prev = ret.prev;
    }

    /** Puts them back where they were (inverse of lift, in reverse order). */
    private static <O> void unlift(Entry<O> call) {
        Entry<O> ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) ret.next.prev = ret;
        call.prev.next = call;
        call.next.prev = call;
    }

    private record CacheEntry<S>(BitSet linearized, S state) {}

    private record Frame<S, O>(Entry<O> call, S state) {}

    static <S, O extends Timed> PartitionResult<O> checkPartition(Model<S, O> model, String name, List<O> ops, long budget) {
        int n = ops.size();
        List<Entry<O>> entries = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            O op = ops.get(i);
            Entry<O> c = new Entry<>(true, op.call(), i, op);
            Entry<O> r = new Entry<>(false, op.ret(), i, op);
            c.match = r;
            entries.add(c);
            entries.add(r);
        }
        // by time; at equal times calls first (treat as concurrent: the permissive choice)
        entries.sort(Comparator.<Entry<O>>comparingLong(e -> e.time).thenComparing(e -> e.isCall ? 0 : 1));
        Entry<O> head = new Entry<>(false, Long.MIN_VALUE, -1, null);
        Entry<O> prev = head;
        for (Entry<O> e : entries) {
            prev.next = e;
            e.prev = prev;
            prev = e;
        }

        Map<Integer, List<CacheEntry<S>>> cache = new HashMap<>();
        ArrayList<Frame<S, O>> calls = new ArrayList<>();
        BitSet linearized = new BitSet(n);
        S state = model.init();
        Entry<O> entry = head.next;
        long steps = 0;
        List<O> longest = List.of();
        while (head.next != null) {
            if (budget > 0 && ++steps > budget) return new PartitionResult<>(name, Verdict.UNKNOWN, n, steps, longest);
            if (budget == 0) steps++;
            if (entry.isCall) {
                S next = model.step(state, entry.op);
                boolean advanced = false;
                if (next != null) {
                    BitSet nl = (BitSet) linearized.clone();
                    nl.set(entry.id);
                    if (cacheAdd(cache, nl, next)) {
                        calls.add(new Frame<>(entry, state));
                        state = next;
                        linearized.set(entry.id);
                        lift(entry);
                        entry = head.next;
                        advanced = true;
                        if (calls.size() > longest.size()) longest = calls.stream().map(f -> f.call().op).toList();
                    }
                }
                if (!advanced) entry = entry.next;
            } else {
                // a return reached before its call was linearized: backtrack
                if (calls.isEmpty()) return new PartitionResult<>(name, Verdict.ILLEGAL, n, steps, longest);
                Frame<S, O> top = calls.remove(calls.size() - 1);
                entry = top.call();
                state = top.state();
                linearized.clear(entry.id);
                unlift(entry);
                entry = entry.next;
            }
        }
        return new PartitionResult<>(name, Verdict.OK, n, steps, longest);
    }

    private static <S> boolean cacheAdd(Map<Integer, List<CacheEntry<S>>> cache, BitSet lin, S state) {
        int h = lin.hashCode() * 31 + (state == null ? 0 : state.hashCode());
        List<CacheEntry<S>> bucket = cache.computeIfAbsent(h, k -> new ArrayList<>(1));
        for (CacheEntry<S> c : bucket) {
            if (c.linearized().equals(lin) && c.state().equals(state)) return false;
        }
        bucket.add(new CacheEntry<>(lin, state));
        return true;
    }
}
