package io.vetcd.api;

import io.vertx.core.http.HttpServerRequest;

import java.util.concurrent.TimeUnit;

/**
 * A call's {@code grpc-timeout} header (1 to 8 digits and a unit: H, M, S, m, u, n), read by hand
 * and taken off the request, so Vert.x neither matches it with a regular expression nor arms a
 * timer of its own for it on every call ({@link GoGrpcCall} keeps the deadline instead). Same
 * result as Vert.x's reading: whole milliseconds, 0 for none or a malformed value.
 */
final class GrpcTimeoutHeader {
    private GrpcTimeoutHeader() {}

    /** The timeout in milliseconds (0: none), after removing the header from the request. */
    static long take(HttpServerRequest http) {
        String v = http.getHeader("grpc-timeout");
        if (v == null) return 0;
        http.headers().remove("grpc-timeout");
        return millis(v);
    }

    static long millis(String v) {
        int n = v.length();
        if (n < 2 || n > 9) return 0;
        long value = 0;
        for (int i = 0; i < n - 1; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') return 0;
            value = value * 10 + (c - '0');
        }
        TimeUnit unit = switch (v.charAt(n - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null ? 0 : unit.toMillis(value);
    }
}
