package io.vetcd.fuzz;

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
        RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
        headers.forEach(o::putHeader);
        try {
            return client.request(o)
                .compose(req -> req.send(body))
                .compose(resp -> {
                    String type = resp.getHeader("content-type");
                    if (headOnly && resp.statusCode() == 200) {
                        resp.request().reset();
                        return io.vertx.core.Future.succeededFuture(new HttpExchange(200, type, ""));
                    }
                    return resp.body().map(b -> new HttpExchange(resp.statusCode(), type, b.toString()));
                })
                .toCompletionStage().toCompletableFuture().get(headOnly ? 5 : 20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + (headOnly ? 5 : 20) + " s: " + method + " " + uri, e);
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
