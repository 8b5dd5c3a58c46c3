package io.vetcd.proxy;

import io.vetcd.config.ConfigException;
import io.vetcd.gateway.HostPort;

import java.net.URI;

/**
 * One cluster endpoint from --endpoints: {@code host:port}, {@code http://host:port} or {@code https://host:port}.
 * A bare {@code host:port} uses TLS when the proxy was given client TLS files (clientv3 does the same).
 */
public record UpstreamEndpoint(String host, int port, boolean tls) {

  static UpstreamEndpoint parse(String ep, boolean tlsByDefault) {
    String hostPort = ep;
    boolean tls = tlsByDefault;
    if (ep.contains("://")) {
      URI u = URI.create(ep);
      tls = "https".equals(u.getScheme()) || "unixs".equals(u.getScheme());
      hostPort = u.getRawAuthority();
    }
    HostPort hp = hostPort == null ? null : HostPort.parse(hostPort);
    if (hp == null) {
      throw new ConfigException("invalid endpoint \"" + ep + "\"");
    }
    return new UpstreamEndpoint(hp.host(), hp.port(), tls);
  }

  String url() {
    return (tls ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
