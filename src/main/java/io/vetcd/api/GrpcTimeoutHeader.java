package io.vetcd.api;

import io.vertx.core.http.HttpServerRequest;

import java.util.concurrent.TimeUnit;

/**
 * A call's {@code grpc-timeout} header (1 to 8 digits and a unit: H, M, S, m, u, n), read by hand
 * and taken off the request, so Vert.x neither matches it with a regular expression nor arms a
 * timer of its own for it on every call ({@link GoGrpcCall} keeps the deadline instead). Kept in
 * nanoseconds, as grpc-go keeps it: "1u" is a deadline that has passed by the time the request
 * message is read (etcd then answers DEADLINE_EXCEEDED), not "no deadline" as whole milliseconds
 * made it. A malformed value counts as none, as Vert.x read it.
 */
final class GrpcTimeoutHeader {
    private GrpcTimeoutHeader() {}

    /** No grpc-timeout, or one that is not 1 to 8 digits and a unit. */
    static final long NONE = -1;

    /** The timeout in nanoseconds ({@link #NONE}: none), after removing the header from the request. */
    static long take(HttpServerRequest http) {
        String v = http.getHeader("grpc-timeout");
        if (v == null) return NONE;
        http.headers().remove("grpc-timeout");
        return nanos(v);
    }

    /** The timeout in nanoseconds, saturated at Long.MAX_VALUE (99999999H); {@link #NONE} if malformed. */
    static long nanos(String v) {
        int n = v.length();
        if (n < 2 || n > 9) return NONE;
        long value = 0;
        for (int i = 0; i < n - 1; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') return NONE;
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
        return unit == null ? NONE : unit.toNanos(value);
    }
}
