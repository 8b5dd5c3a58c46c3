package io.vetcd.proxy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;

/**
 * One event loop's share of the grpc-proxy listener: gRPC (h2c, or TLS with ALPN) is forwarded to the cluster,
 * HTTP/1 gets /health and /metrics (the job cmux does in etcd). Each instance has its own upstream connections,
 * so a call never leaves the event loop that accepted it.
 */
final class GrpcProxyVerticle extends VerticleBase {
  private final GrpcProxySettings settings;
  private final UpstreamEndpoints endpoints;
  private final ProxyMetrics metrics;
  private final WatchHub watchHub;
  private final LeaseKeepAliveHub keepAlives;
  private final OrderedRanges ordering;
  private final boolean readOnly;
  private final RangeCache cache;
  private Upstream upstream;
  private HttpServer server;

  GrpcProxyVerticle(GrpcProxySettings settings, UpstreamEndpoints endpoints, ProxyMetrics metrics, WatchHub watchHub,
                    LeaseKeepAliveHub keepAlives, OrderedRanges ordering) {
    this(settings, endpoints, metrics, watchHub, keepAlives, ordering, false, new RangeCache(RangeCache.DEFAULT_MAX_ENTRIES));
  }

  /**
   * @param readOnly serve only reads and watches (the config's {@code proxy: readonly})
   * @param cache the serializable-read cache, one for all instances (a write through any event loop must reach it)
   */
  GrpcProxyVerticle(GrpcProxySettings settings, UpstreamEndpoints endpoints, ProxyMetrics metrics, WatchHub watchHub,
                    LeaseKeepAliveHub keepAlives, OrderedRanges ordering, boolean readOnly, RangeCache cache) {
    this.readOnly = readOnly;
    this.cache = cache;
    this.keepAlives = keepAlives;
    this.ordering = ordering;
    this.settings = settings;
    this.watchHub = watchHub;
    this.endpoints = endpoints;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    upstream = new Upstream(vertx, endpoints, settings.upstreamTls());
    KeyNamespace ns = settings.namespace().isEmpty() ? null : new KeyNamespace(settings.namespace());
    GrpcForwarder forwarder = new GrpcForwarder(upstream, ns, readOnly);
    CachedRanges cachedRanges = new CachedRanges(cache, metrics, ns);
    ProxyMemberList members = new ProxyMemberList(upstream, settings.advertiseClientUrl(), settings.resolverPrefix());
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(settings.maxRecvBytes()));
    grpc.callHandler(req -> {
      metrics.forwardedCalls.inc();
      if (readOnly && ReadOnlyCalls.refusesMethod(req.fullMethodName())) {
        GrpcForwarder.refuseWrite(req);
      } else if (req.fullMethodName().equals("etcdserverpb.Watch/Watch")) {
        new WatchStreamProxy(watchHub, vertx.getOrCreateContext(), req, ns).start();
      } else if (ordering != null && req.fullMethodName().equals("etcdserverpb.KV/Range")) {
        ordering.serve(req, upstream);
      } else if (req.fullMethodName().equals("etcdserverpb.KV/Range") && !CachedRanges.authenticated(req)) {
        cachedRanges.serve(req, upstream);
      } else if (req.fullMethodName().equals("etcdserverpb.Lease/LeaseKeepAlive")) {
        new LeaseKeepAliveStreamProxy(keepAlives, vertx.getOrCreateContext(), req).start();
      } else if (req.fullMethodName().equals("etcdserverpb.Cluster/MemberList") && members.answersLocally()) {
        answerMemberList(req, members);
      } else {
        forwarder.forward(req, CacheInvalidation.of(cache, req.fullMethodName()));
      }
    });
    Router router = ProxyHttpRoutes.router(vertx, upstream, endpoints, settings.upstreamTls(), metrics);

    HttpServerOptions o = new HttpServerOptions().setHost(settings.listenHost()).setPort(settings.listenPort())
        .setHttp2ClearTextEnabled(true).setTcpNoDelay(true)
        .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(settings.maxConcurrentStreams()));
    GrpcProxySettings.ListenerTlsFiles lt = settings.listenerTls();
    if (lt.enabled()) {
      o.setSsl(true).setUseAlpn(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(lt.certFile()).setKeyPath(lt.keyFile()));
      if (!lt.caFile().isEmpty()) {
        // etcd's proxy loads the CA but does not require client certificates; verify one when a client sends it
        o.setTrustOptions(new PemTrustOptions().addCertPath(lt.caFile())).setClientAuth(ClientAuth.REQUEST);
      }
      if (!lt.crlFile().isEmpty()) o.addCrlPath(lt.crlFile());
      for (String suite : lt.cipherSuites()) o.addEnabledCipherSuite(suite);
    }
    // etcdctl's per-endpoint commands send "http://host:port" as :authority; the member's listener fix applies here too
    server = vertx.createHttpServer(o).connectionHandler(conn -> {
      io.vetcd.node.H2cUpgradeHold.install(conn); // Upgrade: h2c clients: answer after their preface (see there)
      io.vetcd.node.SchemeInAuthorityFix.install(conn);
    }).requestHandler(req -> {
      String ct = req.getHeader("content-type");
      if (req.version() == HttpVersion.HTTP_2 && ct != null && ct.startsWith("application/grpc")) {
        io.vetcd.api.GoGrpcHeaders.install(req.response());
        grpc.handle(req);
      } else {
        router.handle(req);
      }
    });
    return server.listen();
  }

  private static void answerMemberList(GrpcServerRequest<Buffer, Buffer> req, ProxyMemberList members) {
    req.handler(ignored -> { });
    req.endHandler(v -> members.answer().onComplete(ar -> {
      if (ar.succeeded()) {
        req.response().end(Buffer.buffer(ar.result().toByteArray()));
      } else {
        GrpcForwarder.fail(req.response(), GrpcStatus.UNAVAILABLE, String.valueOf(ar.cause().getMessage()));
      }
    }));
  }

  @Override
  public Future<?> stop() {
    return server.close().eventually(() -> upstream.close());
  }
}
