package io.vetcd.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.internal.http.HttpClientInternal;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * Runs every call of one Vert.x HTTP client on one context. From a test thread, each call would get a
 * context of its own on whichever event loop, and Vert.x 5.0.7's client then sometimes never completes a
 * call whose whole answer (a trailers-only gRPC error, a short HTTP/1.1 error) arrives within a fraction of
 * a millisecond: a packet capture shows the member's answer sent and acknowledged at once, yet the client's
 * future stays open. 8-10 of 3,000 such calls hung that way; 0 of 3,000 with one context per client, 0 with
 * grpc-java's client, 0 against real etcd's slower answers. The fuzzers had reported it as "stalls on the
 * shared connection"; {@link RawGrpcCall} timed out the same way in a CI run (a duplicate-key Txn's error).
 */
public final class ClientContext {
    private static final Map<HttpClient, Context> CONTEXTS = Collections.synchronizedMap(new WeakHashMap<>());

    private ClientContext() {}

    public static <T> Future<T> run(HttpClient client, Supplier<Future<T>> call) {
        Context ctx = CONTEXTS.computeIfAbsent(client, c -> ((HttpClientInternal) c).vertx().createEventLoopContext());
        Promise<T> done = Promise.promise();
        ctx.runOnContext(v -> call.get().onComplete(done));
        return done.future();
    }
}
