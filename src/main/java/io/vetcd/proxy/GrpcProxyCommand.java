package io.vetcd.proxy;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vetcd.config.CipherSuites;
import io.vetcd.config.ConfigException;
import io.vetcd.config.EarlyExit;
import io.vetcd.config.SubcommandFlags;
import io.vetcd.gateway.HostPort;
import io.vetcd.gateway.SrvDiscovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code etcd grpc-proxy start}: flags, defaults, checks and messages of etcd 3.4's etcdmain/grpc_proxy.go; the
 * serving is {@link GrpcProxyVerticle} (one instance per event loop) over {@link Upstream}.
 */
public final class GrpcProxyCommand {
  private static final Logger LOG = LoggerFactory.getLogger("grpcproxy");

  static final Set<String> BOOLEANS = Set.of("insecure-discovery", "enable-pprof", "insecure-skip-tls-verify",
      "auto-tls", "experimental-serializable-ordering", "debug");
  static final Set<String> FLAGS = Set.of("listen-addr", "discovery-srv", "discovery-srv-name", "metrics-addr",
      "insecure-discovery", "endpoints", "advertise-client-url", "resolver-prefix", "resolver-ttl", "namespace",
      "enable-pprof", "data-dir", "max-send-bytes", "max-recv-bytes", "cert", "key", "cacert",
      "insecure-skip-tls-verify", "cert-file", "key-file", "trusted-ca-file", "listen-cipher-suites", "auto-tls",
      "client-crl-file", "experimental-serializable-ordering", "experimental-leasing-prefix", "debug",
      "max-concurrent-streams");

  /** A running proxy: its Vert.x instance (close it to stop) and what it listens on. */
  public record Running(Vertx vertx, int port, ProxyRegistration registration, WatchHub watchHub) {
    /** Watchers the proxy holds open on the cluster (read on the hub's context). */
    public int upstreamWatchers() {
      io.vertx.core.Promise<Integer> p = io.vertx.core.Promise.promise();
      watchHub.run(() -> p.complete(watchHub.upstreamWatchers()));
      return p.future().await();
    }
  }

  private GrpcProxyCommand() {
  }

  /** Whether {@code --debug} was given, for the log level (read before logging is set up). */
  public static boolean debug(List<String> args) {
    return args.contains("--debug") || args.contains("--debug=true");
  }

  public static Running start(List<String> args) {
    GrpcProxySettings s = parse(args);
    return start(s, new UpstreamEndpoints(s.endpoints()), false);
  }

  /** Starts a proxy over {@code endpoints} (which its owner may refresh); {@code readOnly} refuses writes. */
  static Running start(GrpcProxySettings s, UpstreamEndpoints endpoints, boolean readOnly) {
    // load Jackson and the host name here, not on an event loop's first MemberList or registration
    ProxyRegistration.value(s.advertiseClientUrl());
    Vertx vertx = io.vetcd.node.NetworkTransport.vertx();
    ProxyMetrics metrics = new ProxyMetrics();
    int instances = Runtime.getRuntime().availableProcessors();
    // one hub for all event loops: one cluster watcher per distinct range for the whole proxy
    io.vertx.core.Context hubContext = vertx.getOrCreateContext();
    Upstream hubUpstream = new Upstream(vertx, endpoints, s.upstreamTls());
    WatchHub hub = new WatchHub(vertx, hubContext, hubUpstream, metrics);
    OrderedRanges ordering = s.serializableOrdering() ? new OrderedRanges() : null;
    LeaseKeepAliveHub keepAlives = new LeaseKeepAliveHub(vertx, hubContext, hubUpstream, metrics);
    RangeCache cache = new RangeCache(RangeCache.DEFAULT_MAX_ENTRIES);
    metrics.cacheKeys(cache);
    try {
      vertx.deployVerticle(() -> new GrpcProxyVerticle(s, endpoints, metrics, hub, keepAlives, ordering, readOnly, cache),
          new DeploymentOptions().setInstances(instances)).await();
      LOG.atInfo().addKeyValue("address", s.listenAddr()).log("listening for gRPC proxy client requests");
    } catch (Exception e) {
      vertx.close();
      throw new ConfigException("listen tcp " + s.listenAddr() + ": " + e.getMessage());
    }
    if (!s.metricsAddr().isEmpty()) {
      try {
        ProxyHttpRoutes.listenMetrics(vertx, s, endpoints, metrics).await();
        LOG.atInfo().addKeyValue("address", s.metricsAddr()).log("gRPC proxy listening for metrics");
      } catch (Exception e) {
        vertx.close();
        throw new ConfigException("metrics listener " + s.metricsAddr() + ": " + e.getMessage());
      }
    }
    ProxyRegistration registration = null;
    if (!s.resolverPrefix().isEmpty()) {
      registration = ProxyRegistration.start(vertx, new Upstream(vertx, endpoints, s.upstreamTls()),
          s.resolverPrefix(), s.advertiseClientUrl(), s.resolverTtl());
    }
    List<String> eps = s.endpoints().stream().map(UpstreamEndpoint::url).toList();
    LOG.atInfo().addKeyValue("address", s.listenAddr()).addKeyValue("endpoints", eps).log("started gRPC proxy");
    return new Running(vertx, s.listenPort(), registration, hub);
  }

  private static long maxStreams(String v) {
    try {
      long n = Long.parseLong(v);
      if (n < 0 || n > 4294967295L) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException("invalid argument \"" + v + "\" for \"--max-concurrent-streams\" flag: strconv.ParseUint: parsing \""
          + v + "\": invalid syntax");
    }
  }

  static GrpcProxySettings parse(List<String> args) {
    SubcommandFlags f = SubcommandFlags.parse(args, BOOLEANS, FLAGS);
    if (f.help() || !f.words().equals(List.of("start"))) {
      throw new EarlyExit(GrpcProxyUsage.TEXT);
    }
    // etcd's checkArgs, same order and words
    String prefix = f.string("resolver-prefix", "");
    int ttl = f.integer("resolver-ttl", 0);
    String advertise = f.string("advertise-client-url", "127.0.0.1:23790");
    if (!prefix.isEmpty() && ttl < 1) throw new ConfigException("invalid resolver-ttl " + ttl);
    if (prefix.isEmpty() && ttl > 0) throw new ConfigException("invalid resolver-prefix \"" + prefix + "\"");
    if (!prefix.isEmpty() && advertise.isEmpty()) {
      throw new ConfigException("invalid advertise-client-url \"" + advertise + "\"");
    }
    if (f.bool("enable-pprof")) {
      throw new ConfigException("--enable-pprof is not supported by vetcd's grpc-proxy: it serves Go's runtime "
          + "profiles (/debug/pprof), and vetcd is a JVM process (use JFR or async-profiler on it instead)");
    }
    if (!f.string("experimental-leasing-prefix", "").isEmpty()) {
      throw new ConfigException("--experimental-leasing-prefix is not supported by vetcd's grpc-proxy");
    }
    if (f.bool("auto-tls") && f.string("cert-file", "").isEmpty()) {
      throw new ConfigException("--auto-tls is not supported by vetcd's grpc-proxy; give --cert-file and --key-file");
    }

    UpstreamTls upTls = new UpstreamTls(f.string("cert", ""), f.string("key", ""), f.string("cacert", ""),
        f.bool("insecure-skip-tls-verify"));
    upTls.checkEmptyCommonName();

    List<String> suites = new ArrayList<>();
    for (String cs : f.slice("listen-cipher-suites", List.of())) {
      if (!CipherSuites.isKnown(cs)) throw new ConfigException("unexpected TLS cipher suite \"" + cs + "\"");
      suites.add(CipherSuites.toJsse(cs));
    }
    GrpcProxySettings.ListenerTlsFiles lt = new GrpcProxySettings.ListenerTlsFiles(f.string("cert-file", ""),
        f.string("key-file", ""), f.string("trusted-ca-file", ""), f.string("client-crl-file", ""), suites);
    if (!suites.isEmpty() && !lt.enabled()) {
      // etcd 3.4 dereferences a nil TLS config here and panics; a plaintext listener has no ciphers to choose
      LOG.warn("--listen-cipher-suites has no effect without --cert-file and --key-file (the listener is plaintext)");
    }

    String listenAddr = f.string("listen-addr", "127.0.0.1:23790");
    HostPort listen = HostPort.parse(listenAddr);
    if (listen == null) throw new ConfigException("listen tcp: address " + listenAddr + ": missing port in address");

    List<String> raw = new ArrayList<>();
    String srv = f.string("discovery-srv", "");
    if (!srv.isEmpty()) {
      raw.addAll(SrvDiscovery.clientEndpoints(srv, f.string("discovery-srv-name", ""), f.bool("insecure-discovery")));
    }
    if (raw.isEmpty()) raw.addAll(f.slice("endpoints", List.of("127.0.0.1:2379")));
    List<UpstreamEndpoint> eps = new ArrayList<>();
    for (String ep : raw) eps.add(UpstreamEndpoint.parse(ep, upTls.configured()));
    if (eps.isEmpty()) throw new ConfigException("no endpoints");

    String ns = f.string("namespace", "");
    if (!ns.isEmpty()) {
      try {
        new KeyNamespace(ns);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("invalid --namespace: " + e.getMessage());
      }
    }
    return new GrpcProxySettings(listen.host(), listen.port(), eps, upTls, lt, ns, f.string("metrics-addr", ""),
        advertise, prefix, ttl, f.bool("experimental-serializable-ordering"),
        f.integer("max-recv-bytes", Integer.MAX_VALUE), maxStreams(f.string("max-concurrent-streams", "4294967295")));
  }
}
