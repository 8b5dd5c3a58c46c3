package io.vetcd.metrics;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** GET /metrics: the registry in Prometheus text format, rendered on a worker (it reads /proc and RocksDB properties). */
public final class MetricsEndpoint {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private MetricsEndpoint() { }

    public static void mount(Router router, Vertx vertx, MetricRegistry registry) {
        router.get("/metrics").handler(ctx -> vertx.executeBlocking(registry::scrape, false).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().putHeader("content-type", CONTENT_TYPE).end(ar.result());
            } else {
                ctx.response().setStatusCode(500).end("metrics: " + ar.cause().getMessage() + "\n");
            }
        }));
    }
}
