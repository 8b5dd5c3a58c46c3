package io.vetcd.fuzz;

import io.vetcd.testing.ClientContext;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * One HTTP/1.1 request with a fuzzed body and headers, and what came back. For a long-lived answer
 * (a raft stream, a watch) only the status and headers are awaited, then the connection is dropped.
 */
record HttpExchange(int status, String contentType, String body) {
    static final Pattern JAVA_LEAK = Pattern.compile("Exception|java\\.|\\.java:|\\bat io\\.vetcd|NullPointer|\\$Lambda");

    static HttpExchange send(HttpClient client, int port, HttpMethod method, String uri, Map<String, String> headers,
                             Buffer body, boolean headOnly) throws Exception {
        return send(client, port, method, uri, headers, body, headOnly, headOnly ? 5 : 20);
    }

    /**
     * {@code waitSeconds}: how long the answer (its head, if {@code headOnly}) may take. A request that must be
     * answered (20 s) and was sent but got nothing is sent once more on a client of its own, and counted: a CI run
     * failed on a {@code GET /members/hashkv} that the member answers in 40 ms whatever the body — the shape of
     * Vert.x's client losing a fast answer (see {@link ClientContext}). The member must answer the second one.
     */
    static HttpExchange send(HttpClient client, int port, HttpMethod method, String uri, Map<String, String> headers,
                             Buffer body, boolean headOnly, int waitSeconds) throws Exception {
        try {
            return sendOnce(client, port, method, uri, headers, body, headOnly, waitSeconds);
        } catch (AssertionError lost) {
            if (waitSeconds < 20 || !String.valueOf(lost.getMessage()).contains("(sent on ")) throw lost;
            HttpClient fresh = ((io.vertx.core.internal.http.HttpClientInternal) client).vertx()
                .createHttpClient(new io.vertx.core.http.HttpClientOptions().setKeepAlive(false));
            try {
                HttpExchange again = sendOnce(fresh, port, method, uri, headers, body, headOnly, waitSeconds);
                System.out.println("LOST ANSWER #" + LOST_ANSWERS.incrementAndGet() + " (" + lost.getMessage()
                    + "); sent again on a new client: " + again);
                return again;
            } finally {
                fresh.close();
            }
        }
    }

    static final java.util.concurrent.atomic.AtomicInteger LOST_ANSWERS = new java.util.concurrent.atomic.AtomicInteger();

    private static HttpExchange sendOnce(HttpClient client, int port, HttpMethod method, String uri, Map<String, String> headers,
                                         Buffer body, boolean headOnly, int waitSeconds) throws Exception {
        RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
        headers.forEach(o::putHeader);
        io.vertx.core.http.HttpClientRequest[] sent = {null};
        try {
            return ClientContext.run(client, () -> client.request(o)
                .compose(req -> {
                    sent[0] = req;
                    return req.send(body);
                })
                .compose(resp -> {
                    String type = resp.getHeader("content-type");
                    if (headOnly && resp.statusCode() == 200) {
                        resp.request().reset();
                        return io.vertx.core.Future.succeededFuture(new HttpExchange(200, type, ""));
                    }
                    return resp.body().map(b -> new HttpExchange(resp.statusCode(), type, b.toString()));
                }))
                .toCompletionStage().toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // Give the connection back: an unanswered request (a watch with no event yet, a Lock behind a
            // holder) kept its HTTP/1.1 connection, and with the client's 5 connections all held, every later
            // request waited in the client's queue for one and went unanswered (GatewayFuzzTest's
            // "no answer within 20 s" for POST /v3/auth/user/grant, which the member never received).
            if (sent[0] != null) sent[0].reset();
            throw new AssertionError("no answer within " + waitSeconds + " s: " + method + " " + uri
                + (sent[0] == null ? " (the client got no connection for it)" : " (sent on " + sent[0].connection().localAddress() + ")"), e);
        }
    }

    static MultiMap none() {
        return MultiMap.caseInsensitiveMultiMap();
    }

    boolean leaksJava() {
        return JAVA_LEAK.matcher(body).find();
    }

    @Override
    public String toString() {
        return "HTTP " + status + " " + contentType + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }
}
