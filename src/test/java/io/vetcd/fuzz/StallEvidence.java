package io.vetcd.fuzz;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What is known when a call on a shared connection got no answer: whether the member's gRPC server
 * started and finished that method (its own counters, read over a fresh HTTP/1.1 connection), and
 * what the event loops were doing. A stall is a finding to understand, so it leaves evidence behind.
 */
final class StallEvidence {
    private StallEvidence() {}

    /** The member's grpc_server_started_total / grpc_server_handled_total lines for the method of {@code path}. */
    static String serverSide(Vertx vertx, int port, String path) {
        String method = path.substring(path.lastIndexOf('/') + 1);
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
        try {
            String metrics = http.request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
                .compose(req -> req.send().compose(resp -> resp.body()))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();
            return "server counters for " + method + ": " + metrics.lines()
                .filter(l -> l.startsWith("grpc_server_") && l.contains("grpc_method=\"" + method + "\""))
                .filter(l -> l.startsWith("grpc_server_started_total") || l.startsWith("grpc_server_handled_total"))
                .filter(l -> !l.endsWith(" 0") && !l.endsWith(" 0.0"))
                .collect(Collectors.joining(", "));
        } catch (Exception e) {
            return "server counters unreadable (" + e + ")";
        } finally {
            http.close();
        }
    }

    /** The stacks of the Vert.x event loop threads of this JVM (the member's and the test client's) that are not idle. */
    static String eventLoops() {
        StringBuilder b = new StringBuilder();
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            if (!t.getThreadName().startsWith("vert.x-eventloop")) continue;
            StackTraceElement[] top = t.getStackTrace();
            if (top.length > 0 && top[0].getMethodName().equals("wait") && top[0].getClassName().endsWith("EPoll")) continue;
            b.append("  ").append(t.getThreadName()).append(' ').append(t.getThreadState()).append('\n');
            StackTraceElement[] st = t.getStackTrace();
            for (int i = 0; i < Math.min(8, st.length); i++) b.append("      at ").append(st[i]).append('\n');
        }
        return b.length() == 0 ? "  (every event loop idle)" : b.toString();
    }
}
