package io.vetcd.fuzz;

import io.vetcd.testing.ClientContext;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * One gRPC call as bytes on an HTTP/2 stream (h2c): whatever body the fuzzer made, sent as is, and
 * the answer's status as the wire carries it, before any gRPC library could hide a malformed one.
 */
record GrpcExchange(int httpStatus, String grpcStatus, String grpcMessage, Buffer body) {
    /** Java's fingerprints in a text a client would see: an exception's class or a stack frame. */
    private static final Pattern JAVA_LEAK = Pattern.compile("Exception|java\\.|\\.java:|\\bat io\\.vetcd|NullPointer|\\$Lambda");

    /** The server's own deadline for the call (etcd honours grpc-timeout too), well under the client's wait. */
    static final String SERVER_DEADLINE = "3S";

    /**
     * Calls whose answer did not come on the shared connection within 4 s (the server's deadline is 3 s)
     * but did on a fresh one; the intact check's calls too. These were Vert.x's client losing fast answers
     * (see {@link ClientContext}); with every call on one context none is expected, and a stall that still
     * happens is printed with {@link StallEvidence} and counted, then retried on a fresh connection. Calls
     * over 1 MB go on a connection of their own.
     */
    static final java.util.concurrent.atomic.AtomicInteger STALLS_ON_SHARED_CONNECTION = new java.util.concurrent.atomic.AtomicInteger();

    static GrpcExchange send(HttpClient client, io.vertx.core.Vertx vertx, int port, String path, Buffer body) throws Exception {
        if (body.length() > 1_000_000) return onFreshConnection(vertx, port, path, body); // see STALLS_ON_SHARED_CONNECTION
        try {
            return send(client, port, path, body, 4); // the server's deadline is 3 s: later is a stall
        } catch (AssertionError stalled) {
            HttpClient fresh = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
                .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
            String seen = StallEvidence.serverSide(vertx, port, path);
            try {
                GrpcExchange again = send(fresh, port, path, body, 20);
                System.out.println("STALL on the shared connection (#" + STALLS_ON_SHARED_CONNECTION.incrementAndGet()
                    + "): " + path + " (" + body.length() + " bytes); " + seen + "; a fresh connection answered " + again
                    + "\n" + StallEvidence.eventLoops());
                return again;
            } finally {
                fresh.close();
            }
        }
    }

    private static GrpcExchange onFreshConnection(io.vertx.core.Vertx vertx, int port, String path, Buffer body) throws Exception {
        HttpClient fresh = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
            .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        try {
            return send(fresh, port, path, body, 20);
        } finally {
            fresh.close();
        }
    }

    private static GrpcExchange send(HttpClient client, int port, String path, Buffer body, int waitSeconds) throws Exception {
        try {
            return ClientContext.run(client, () -> client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(path)
                    .putHeader("content-type", "application/grpc").putHeader("te", "trailers")
                    .putHeader("grpc-timeout", SERVER_DEADLINE))
                .compose(req -> req.send(body))
                .compose(resp -> resp.body().map(b -> {
                    String status = first(resp.headers(), resp.trailers(), "grpc-status");
                    String message = first(resp.headers(), resp.trailers(), "grpc-message");
                    return new GrpcExchange(resp.statusCode(), status, message, b);
                })))
                .toCompletionStage().toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + waitSeconds + " s (the call's deadline was " + SERVER_DEADLINE + "): " + path, e);
        }
    }

    private static String first(Iterable<Map.Entry<String, String>> headers, Iterable<Map.Entry<String, String>> trailers, String name) {
        for (Map.Entry<String, String> e : headers) if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        for (Map.Entry<String, String> e : trailers) if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        return null;
    }

    /** What is wrong with this answer for a client, or null when it is a clean gRPC answer (success or a status). */
    String problem() {
        if (httpStatus != 200) return "HTTP status " + httpStatus + " (gRPC answers 200 and puts errors in grpc-status)";
        if (grpcStatus == null) return "no grpc-status";
        int code;
        try {
            code = Integer.parseInt(grpcStatus);
        } catch (NumberFormatException e) {
            return "grpc-status not a number: " + grpcStatus;
        }
        if (code < 0 || code > 16) return "grpc-status out of range: " + code;
        if (grpcMessage != null && JAVA_LEAK.matcher(java.net.URLDecoder.decode(grpcMessage.replace("+", "%2B"),
                java.nio.charset.StandardCharsets.UTF_8)).find()) {
            return "a Java exception in grpc-message: " + grpcMessage;
        }
        return null;
    }

    /** A gRPC length-prefixed message frame, uncompressed. */
    static Buffer frame(byte[] message) {
        return Buffer.buffer().appendByte((byte) 0).appendInt(message.length).appendBytes(message);
    }

    @Override
    public String toString() {
        return "HTTP " + httpStatus + " grpc-status=" + grpcStatus + " grpc-message=" + grpcMessage;
    }
}
