package io.vetcd.bench;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Outcome of one workload run: counts, wall time, latency histogram (microseconds), errors. */
final class Result {
    static final long MAX_US = 3_600_000_000L;

    final String workload;
    final String target;
    long total;          // requests (or expected events) attempted
    long ok;
    double seconds;
    final Histogram hist = newHist();
    final Errors errors = new Errors();
    final Map<String, Histogram> byOp = new LinkedHashMap<>();
    final Map<String, Object> extra = new LinkedHashMap<>();

    Result(String workload, String target) {
        this.workload = workload;
        this.target = target;
    }

    static Histogram newHist() { return new Histogram(MAX_US, 3); }

    static void record(Histogram h, long nanos) {
        h.recordValue(Math.max(1, Math.min(MAX_US, nanos / 1000)));
    }

    double qps() { return seconds > 0 ? ok / seconds : 0; }

    String status() {
        if (errors.total() == 0) return "OK";
        if (ok == 0 && errors.unimplemented()) return "UNIMPLEMENTED";
        return ok == 0 ? "FAILED" : "ERRORS";
    }

    static double ms(Histogram h, double pct) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(pct) / 1000.0;
    }

    double p(double pct) { return ms(hist, pct); }
    double avgMs() { return hist.getTotalCount() == 0 ? Double.NaN : hist.getMean() / 1000.0; }
    double maxMs() { return hist.getTotalCount() == 0 ? Double.NaN : hist.getMaxValue() / 1000.0; }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "%s against %s: %s%n", workload, target, status());
        out.printf(Locale.ROOT, "  total %d  ok %d  errors %d  in %.2f s  QPS %.1f%n", total, ok, errors.total(), seconds, qps());
        out.println("  latency ms: " + latencies(hist));
        byOp.forEach((op, h) -> out.println("    " + op + " (" + h.getTotalCount() + "): " + latencies(h)));
        if (!errors.counts.isEmpty()) out.println("  errors: " + errors.counts);
        extra.forEach((k, v) -> out.println("  " + k + ": " + v));
        out.println("JSON " + json());
    }

    static String latencies(Histogram h) {
        if (h.getTotalCount() == 0) return "(none)";
        return String.format(Locale.ROOT, "avg %.3f  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f",
            h.getMean() / 1000.0, ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1000.0);
    }

    String json() {
        StringBuilder b = new StringBuilder("{");
        kv(b, "workload", workload).append(',');
        kv(b, "target", target).append(',');
        kv(b, "status", status()).append(',');
        kv(b, "total", total).append(',');
        kv(b, "ok", ok).append(',');
        kv(b, "errors", errors.total()).append(',');
        kv(b, "seconds", seconds).append(',');
        kv(b, "qps", qps()).append(',');
        kv(b, "avg_ms", avgMs()).append(',');
        kv(b, "p50_ms", p(50)).append(',');
        kv(b, "p90_ms", p(90)).append(',');
        kv(b, "p99_ms", p(99)).append(',');
        kv(b, "p999_ms", p(99.9)).append(',');
        kv(b, "max_ms", maxMs()).append(',');
        b.append("\"error_kinds\":{");
        boolean first = true;
        for (var e : errors.counts.entrySet()) {
            if (!first) b.append(',');
            first = false;
            kv(b, e.getKey(), e.getValue());
        }
        b.append('}');
        for (var e : extra.entrySet()) {
            b.append(',');
            kv(b, e.getKey(), e.getValue());
        }
        return b.append('}').toString();
    }

    static StringBuilder kv(StringBuilder b, String k, Object v) {
        b.append('"').append(esc(k)).append("\":");
        if (v instanceof Double d) b.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.4f", d));
        else if (v instanceof Number n) b.append(n);
        else b.append('"').append(esc(String.valueOf(v))).append('"');
        return b;
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}
