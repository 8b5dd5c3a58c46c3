package io.vetcd.faults;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Histories as JSON lines (one {@link RegisterOp} a line), and a re-check:
 * {@code java -cp <test classpath> io.vetcd.faults.History <file.jsonl>}
 * (or {@code mvn -B test -Dtest=RecheckHistoryTest -Dvetcd.faults.history=<file>}).
 */
public final class History {
    private History() {}

    public static void write(Path file, List<RegisterOp> ops) throws IOException {
        List<String> lines = new ArrayList<>(ops.size());
        for (RegisterOp op : ops) lines.add(op.toJson().encode());
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    public static List<RegisterOp> read(Path file) throws IOException {
        List<RegisterOp> ops = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) ops.add(RegisterOp.fromJson(new JsonObject(line)));
        }
        return ops;
    }

    public static Linearizability.Result<RegisterOp> check(List<RegisterOp> ops, long stepBudget) {
        return Linearizability.check(new RegisterOp.Model(), withoutUnobservedUnknowns(ops), RegisterOp::key, stepBudget);
    }

    /**
     * Drops writes of unknown outcome whose value nobody ever observed (no read
     * returned it, no cas expected it). This is exact, not a heuristic: such a
     * write can always be linearized last, where it is unobservable, and if the
     * history with it is linearizable so is the history without it (it can only
     * be followed by other writes before its value would have to be read).
     * Without this, every unobserved unknown write doubles the search space
     * of a history that has to be searched exhaustively (a violation).
     */
    public static List<RegisterOp> withoutUnobservedUnknowns(List<RegisterOp> ops) {
        java.util.Set<String> observed = new java.util.HashSet<>();
        for (RegisterOp o : ops) {
            if (o.readValue() != null) observed.add(o.key() + "\u0000" + o.readValue());
            if (o.kind() == RegisterOp.Kind.CAS && o.expectValue() != null) observed.add(o.key() + "\u0000" + o.expectValue());
        }
        List<RegisterOp> out = new ArrayList<>(ops.size());
        for (RegisterOp o : ops) {
            if (o.outcome() == RegisterOp.Outcome.UNKNOWN && !observed.contains(o.key() + "\u0000" + o.value())) continue;
            out.add(o);
        }
        return out;
    }

    /** Prints each illegal partition: its ops in call order and the longest linearizable prefix found. */
    public static void report(Linearizability.Result<RegisterOp> result, List<RegisterOp> ops, PrintStream out, int maxOps) {
        for (var p : result.partitions()) {
            out.printf("  key %-12s %-8s %6d ops %10d search steps%n", p.partition(), p.verdict(), p.ops(), p.steps());
        }
        for (var p : result.illegal()) {
            out.println("NOT LINEARIZABLE: key " + p.partition());
            List<RegisterOp> prefix = p.longestPrefix();
            out.println("  longest linearizable prefix (" + prefix.size() + " ops), last 10:");
            prefix.subList(Math.max(0, prefix.size() - 10), prefix.size()).forEach(o -> out.println("    " + o));
            long after = prefix.isEmpty() ? Long.MIN_VALUE : prefix.get(prefix.size() - 1).call();
            out.println("  ops of that key from there on (call order, first " + maxOps + "):");
            ops.stream().filter(o -> o.key().equals(p.partition()) && o.ret() >= after && !prefix.contains(o))
                .sorted(Comparator.comparingLong(RegisterOp::call)).limit(maxOps)
                .forEach(o -> out.println("    " + o));
        }
    }

    public static void main(String[] args) throws IOException {
        List<RegisterOp> ops = read(Path.of(args[0]));
        var result = check(ops, 0);
        System.out.println(ops.size() + " ops: " + result.verdict());
        report(result, ops, System.out, 40);
        System.exit(result.ok() ? 0 : 1);
    }
}
