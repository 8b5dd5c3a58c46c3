package io.vetcd.gateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vetcd.config.ConfigException;
import io.vetcd.config.SubcommandFlags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code etcd gateway start}: etcd 3.4's L4 TCP gateway. Flags, defaults, start-up checks and messages
 * follow etcdmain/gateway.go; the proxying itself is {@link GatewayVerticle}, one instance per event loop.
 */
public final class GatewayCommand {
  private static final Logger LOG = LoggerFactory.getLogger("tcpproxy");

  static final Set<String> BOOLEANS = Set.of("insecure-discovery");
  static final Set<String> FLAGS = Set.of("listen-addr", "discovery-srv", "discovery-srv-name", "insecure-discovery",
      "trusted-ca-file", "endpoints", "retry-delay");

  /** A running gateway: its Vert.x instance (close it to stop) and the port it listens on. */
  public record Running(Vertx vertx, int port) {
  }

  private GatewayCommand() {
  }

  static final String USAGE = String.join("\n",
      "start the gateway",
      "",
      "Usage:",
      "  etcd gateway start [flags]",
      "",
      "Flags:",
      "      --discovery-srv string        DNS domain used to bootstrap initial cluster",
      "      --discovery-srv-name string   service name to query when using DNS discovery",
      "      --endpoints strings           comma separated etcd cluster endpoints (default [127.0.0.1:2379])",
      "  -h, --help                        help for start",
      "      --insecure-discovery          accept insecure SRV records",
      "      --listen-addr string          listen address (default \"127.0.0.1:23790\")",
      "      --retry-delay duration        duration of delay before retrying failed endpoints (default 1m0s)",
      "      --trusted-ca-file string      path to the client server TLS CA file for verifying the discovered endpoints when discovery-srv is provided.",
      "");

  /**
   * Parses {@code args} (everything after {@code gateway}), checks them the way etcd does and starts the
   * gateway. Failures are {@link ConfigException}s carrying etcd's message.
   */
  public static Running start(List<String> args) {
    SubcommandFlags f = SubcommandFlags.parse(args, BOOLEANS, FLAGS);
    if (f.help() || !f.words().equals(List.of("start"))) {
      throw new io.vetcd.config.EarlyExit(USAGE);
    }
    String listenAddr = f.string("listen-addr", "127.0.0.1:23790");
    Duration retryDelay = f.duration("retry-delay", Duration.ofMinutes(1));

    List<String> endpoints = new ArrayList<>();
    String srvDomain = f.string("discovery-srv", "");
    if (!srvDomain.isEmpty()) {
      endpoints.addAll(SrvDiscovery.clientEndpoints(srvDomain, f.string("discovery-srv-name", ""),
          f.bool("insecure-discovery")));
    }
    if (endpoints.isEmpty()) {
      endpoints.addAll(f.slice("endpoints", List.of("127.0.0.1:2379")));
    }
    List<GatewayRemotes.Remote> remotes = new ArrayList<>();
    for (String ep : endpoints) {
      HostPort hp = HostPort.parse(stripScheme(ep));
      if (hp == null) {
        throw new ConfigException("error parsing endpoint \"" + ep + "\"");
      }
      remotes.add(new GatewayRemotes.Remote(hp.host(), hp.port()));
    }
    HostPort listen = HostPort.parse(listenAddr);
    if (listen == null) {
      throw new ConfigException("failed to validate listen address: " + listenAddr);
    }
    Set<String> listenIps = resolve(listen.host(), "failed to resolve listen host: ");
    for (GatewayRemotes.Remote r : remotes) {
      Set<String> ips = resolve(r.host, "failed to resolve endpoint host: ");
      if (r.port != listen.port()) continue;
      for (String ip : ips) {
        if (listenIps.contains(ip)) {
          throw new ConfigException("SRV or endpoint (" + r.host + ":" + r.port + "->" + ip + ":" + r.port
              + ") should not resolve to the gateway listen addr (" + listenAddr + ")");
        }
      }
    }
    if (remotes.isEmpty()) {
      throw new ConfigException("no endpoints found");
    }

    GatewayRemotes shared = new GatewayRemotes(remotes);
    Vertx vertx = io.vetcd.node.NetworkTransport.vertx();
    long retryMs = Math.max(1, retryDelay.toMillis());
    try {
      vertx.deployVerticle(() -> new GatewayVerticle(listen.host(), listen.port(), shared, retryMs),
          new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors())).await();
    } catch (Exception e) {
      vertx.close();
      throw new ConfigException("listen tcp " + listenAddr + ": " + e.getMessage());
    }
    GatewayMonitor.start(vertx, shared, retryMs);
    List<String> eps = remotes.stream().map(GatewayRemotes.Remote::address).toList();
    LOG.atInfo().addKeyValue("endpoints", eps).log("ready to proxy client requests");
    return new Running(vertx, listen.port());
  }

  /** etcd strips http:// or https:// because the gateway only moves bytes. */
  static String stripScheme(String ep) {
    try {
      URI u = new URI(ep);
      if (u.getHost() != null && u.getScheme() != null) {
        return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
      }
    } catch (java.net.URISyntaxException ignored) {
      // not a URL: host:port already
    }
    return ep;
  }

  private static Set<String> resolve(String host, String message) {
    try {
      Set<String> out = new HashSet<>();
      for (InetAddress a : InetAddress.getAllByName(host.isEmpty() ? "0.0.0.0" : host)) out.add(a.getHostAddress());
      return out;
    } catch (UnknownHostException e) {
      throw new ConfigException(message + host);
    }
  }
}
