package io.vetcd.proxy;

import io.vertx.core.Vertx;
import io.vetcd.config.ConfigException;
import io.vetcd.config.EtcdConfig;
import io.vetcd.config.ProxyConfig;
import io.vetcd.config.SecurityConfig;
import io.vetcd.server.Member;
import io.vetcd.transport.RemoteMembership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The config's {@code proxy: on|readonly} (etcd's v2-era proxy, etcdmain's startProxy) on the v3 API: instead of a
 * member, the node runs vetcd's gRPC proxy on its first --listen-client-urls address, in front of the client URLs
 * of the cluster it finds by asking the --initial-cluster peers for their member list (GET {@code /members}, as
 * etcd's proxy does). The member list is asked again every --proxy-refresh-interval; an endpoint that failed is
 * skipped for --proxy-failure-wait; dials give up after --proxy-dial-timeout; {@code readonly} refuses writes
 * ({@link ReadOnlyCalls}).
 */
public final class ProxyMode {
  private static final Logger LOG = LoggerFactory.getLogger("etcdmain");

  private ProxyMode() {
  }

  /** Starts the proxy (blocking: asks the peers first; call it off any event loop). */
  public static GrpcProxyCommand.Running start(EtcdConfig cfg) {
    ProxyConfig p = cfg.proxy();
    boolean readOnly = "readonly".equals(p.proxy());
    LOG.info("v2 API proxy starting");
    LOG.atInfo().addKeyValue("mode", p.proxy())
        .log("vetcd serves etcd's proxy mode on the v3 API through its gRPC proxy");

    List<String> peerUrls = new ArrayList<>();
    for (List<URI> urls : cfg.cluster().initialCluster().values()) {
      for (URI u : urls) peerUrls.add(u.toString());
    }
    if (peerUrls.isEmpty()) throw new ConfigException("proxy: no peer URLs in --initial-cluster to find the cluster");
    LOG.atInfo().addKeyValue("peer-urls", peerUrls).log("proxy using peer URLS");

    RemoteMembership.Remote remote;
    try {
      remote = RemoteMembership.fetch(peerUrls);
    } catch (IllegalStateException e) {
      throw new ConfigException("proxy: " + e.getMessage(), e);
    }
    List<String> clientUrls = clientUrls(remote);
    if (clientUrls.isEmpty()) throw new ConfigException("proxy: the cluster's members publish no client URLs yet");

    List<URI> listen = cfg.member().listenClientUrls();
    if (listen.isEmpty()) throw new ConfigException("proxy: no --listen-client-urls to listen on");
    URI first = listen.get(0);
    if (first.getPort() < 0) throw new ConfigException("proxy: --listen-client-urls " + first + " has no port");
    // URI.getHost keeps an IPv6 literal's brackets, which is the host:port form --listen-addr wants
    List<String> args = new ArrayList<>(List.of("start",
        "--listen-addr", first.getHost() + ":" + first.getPort(),
        "--endpoints", String.join(",", clientUrls)));
    SecurityConfig sec = cfg.security();
    // etcd's proxy dials members with the client TLS files, and serves https listeners with them
    if (!sec.certFile().isEmpty()) args.addAll(List.of("--cert", sec.certFile(), "--key", sec.keyFile()));
    if (!sec.trustedCaFile().isEmpty()) args.addAll(List.of("--cacert", sec.trustedCaFile()));
    if ("https".equals(first.getScheme())) {
      if (sec.certFile().isEmpty()) {
        throw new ConfigException("proxy: https listener " + first + " needs --cert-file and --key-file");
      }
      args.addAll(List.of("--cert-file", sec.certFile(), "--key-file", sec.keyFile()));
      if (!sec.trustedCaFile().isEmpty()) args.addAll(List.of("--trusted-ca-file", sec.trustedCaFile()));
    }
    GrpcProxySettings s = GrpcProxyCommand.parse(args);
    UpstreamEndpoints endpoints = new UpstreamEndpoints(s.endpoints(), p.proxyFailureWaitMs(),
        (int) Math.min(Integer.MAX_VALUE, Math.max(1, p.proxyDialTimeoutMs())));
    GrpcProxyCommand.Running running = GrpcProxyCommand.start(s, endpoints, readOnly);
    LOG.atInfo().addKeyValue("host", first.toString()).log("v2 proxy started listening on client requests");

    AtomicReference<List<String>> peers = new AtomicReference<>(peerPeerUrls(remote, peerUrls));
    boolean upstreamTls = s.upstreamTls().configured();
    long every = Math.max(1, p.proxyRefreshIntervalMs());
    Vertx vertx = running.vertx();
    AtomicBoolean asking = new AtomicBoolean();
    vertx.setPeriodic(every, id -> {
      // one question at a time: a peer slower than the interval must not pile up blocked worker threads
      if (!asking.compareAndSet(false, true)) return;
      vertx.executeBlocking(() -> RemoteMembership.fetch(peers.get()), false)
        .onComplete(ar -> asking.set(false))
        .onFailure(e -> LOG.atWarn().addKeyValue("peer-urls", peers.get()).addKeyValue("error", e.getMessage())
            .log("failed to get cluster from remote peers"))
        .onSuccess(r -> {
          List<String> fresh = peerPeerUrls(r, peers.get());
          if (!fresh.equals(peers.get())) {
            LOG.atInfo().addKeyValue("from", peers.get()).addKeyValue("to", fresh).log("proxy updated peer URLs");
            peers.set(fresh);
          }
          List<UpstreamEndpoint> eps = new ArrayList<>();
          for (String u : clientUrls(r)) {
            try {
              eps.add(UpstreamEndpoint.parse(u, upstreamTls));
            } catch (ConfigException e) {
              LOG.atWarn().addKeyValue("url", u).log("proxy skips a client URL it cannot dial");
            }
          }
          endpoints.replace(eps);
        });
    });
    return running;
  }

  /** The voting members' client URLs (a learner serves no linearizable reads or writes). */
  private static List<String> clientUrls(RemoteMembership.Remote remote) {
    List<String> out = new ArrayList<>();
    for (Member m : remote.members()) {
      if (!m.learner()) out.addAll(m.clientUrls());
    }
    return out;
  }

  private static List<String> peerPeerUrls(RemoteMembership.Remote remote, List<String> fallback) {
    List<String> out = new ArrayList<>();
    for (Member m : remote.members()) out.addAll(m.peerUrls());
    return out.isEmpty() ? fallback : out;
  }
}
