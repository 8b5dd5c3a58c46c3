package io.vetcd.bench;

import io.vertx.grpc.client.InvalidStatusException;

import java.util.Map;
import java.util.TreeMap;

/** Error counts by gRPC status (or exception class), e.g. {@code UNIMPLEMENTED=1}. */
final class Errors {
    final Map<String, Long> counts = new TreeMap<>();

    static String classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InvalidStatusException ise) return ise.actualStatus().name();
        }
        String m = t.getMessage();
        String s = t.getClass().getSimpleName();
        if (m != null && !m.isEmpty()) s += ": " + (m.length() > 80 ? m.substring(0, 80) : m);
        return s;
    }

    void add(String kind, long n) { counts.merge(kind, n, Long::sum); }
    void add(Throwable t) { add(classify(t), 1); }
    void addAll(Errors o) { o.counts.forEach(this::add); }
    long total() { return counts.values().stream().mapToLong(Long::longValue).sum(); }
    boolean unimplemented() { return counts.containsKey("UNIMPLEMENTED"); }
}
