package io.vetcd.proxy;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import io.vetcd.metrics.MetricsEndpoint;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;

import java.net.URI;

/**
 * The proxy's HTTP/1 side (etcd's grpcproxy HandleHealth / HandleMetrics): {@code /health} is healthy when a read
 * through the proxy's upstream succeeds (or is refused for permission, which still proves the cluster answers),
 * {@code /metrics} is fetched from a cluster endpoint, and {@code /proxy/metrics} is the proxy's own.
 */
final class ProxyHttpRoutes {
  private ProxyHttpRoutes() {
  }

  static Router router(Vertx vertx, Upstream upstream, UpstreamEndpoints endpoints, UpstreamTls tls, ProxyMetrics metrics) {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> UpstreamUnary.call(upstream, "etcdserverpb.KV/Range",
        RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("a")).build(), RangeResponse.parser(), 1000)
        .transform(ar -> Future.succeededFuture(ar.succeeded()
            || (ar.cause() instanceof UpstreamStatusException u && String.valueOf(u.getMessage()).contains("permission denied"))))
        .onSuccess(ok -> ctx.response().setStatusCode(ok ? 200 : 503)
            .putHeader("content-type", "application/json").end("{\"health\":\"" + ok + "\"}")));
    HttpClientOptions ho = new HttpClientOptions().setConnectTimeout(5000);
    if (!tls.caFile().isEmpty()) ho.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile()));
    if (!tls.certFile().isEmpty()) ho.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()));
    if (tls.insecureSkipVerify()) ho.setTrustAll(true).setVerifyHost(false);
    HttpClient http = vertx.createHttpClient(ho);
    router.get("/metrics").handler(ctx -> {
      UpstreamEndpoint ep = endpoints.pinnedEndpoint();
      URI target = URI.create(ep.url() + "/metrics");
      http.request(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(target.toString()))
          .compose(req -> req.send().compose(r -> r.body()))
          .onSuccess(body -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4").end(body))
          .onFailure(err -> ctx.response().setStatusCode(500).end("Internal server error\n"));
    });
    Router own = Router.router(vertx);
    MetricsEndpoint.mount(own, vertx, metrics.registry);
    router.route("/proxy/*").subRouter(own);
    return router;
  }

  /** --metrics-addr: /metrics and /health on an additional listener ("http://host:port" or "https://..."). */
  static Future<HttpServer> listenMetrics(Vertx vertx, GrpcProxySettings s, UpstreamEndpoints endpoints, ProxyMetrics metrics) {
    URI u = URI.create(s.metricsAddr());
    HttpServerOptions o = new HttpServerOptions().setHost(u.getHost()).setPort(u.getPort());
    if ("https".equals(u.getScheme())) {
      if (!s.listenerTls().enabled()) return Future.failedFuture("https metrics address needs --cert-file and --key-file");
      o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(s.listenerTls().certFile())
          .setKeyPath(s.listenerTls().keyFile()));
    }
    Upstream upstream = new Upstream(vertx, endpoints, s.upstreamTls());
    return vertx.createHttpServer(o).connectionHandler(io.vetcd.node.H2cUpgradeHold::install).requestHandler(router(vertx, upstream, endpoints, s.upstreamTls(), metrics)).listen();
  }
}
