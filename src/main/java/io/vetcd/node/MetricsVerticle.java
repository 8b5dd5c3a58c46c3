package io.vetcd.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vetcd.server.EtcdServer;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's --listen-metrics-urls: /metrics and /health on their own listeners, plain HTTP or, for
 * https URLs, TLS with the client certificate flags (etcd's serveMetrics does the same).
 */
public final class MetricsVerticle extends VerticleBase {
    private final EtcdServer server;
    private final List<URI> urls;
    private final ListenerTls clientTls;

    public MetricsVerticle(EtcdServer server, List<URI> urls, ListenerTls clientTls) {
        this.server = server;
        this.urls = urls;
        this.clientTls = clientTls;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        ClientVerticle.mountHealthAndMetrics(router, vertx, server);
        List<Future<HttpServer>> binds = new ArrayList<>();
        for (URI url : urls) {
            HttpServerOptions o = new HttpServerOptions().setHost(url.getHost()).setPort(url.getPort());
            if ("https".equals(url.getScheme())) clientTls.applyTo(o);
            // Vert.x serves h2c on plain HTTP by default: an Upgrade: h2c scrape is answered after the client's preface
            binds.add(vertx.createHttpServer(o).connectionHandler(H2cUpgradeHold::install).requestHandler(router).listen());
        }
        return Future.all(binds);
    }
}
