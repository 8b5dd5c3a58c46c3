package io.vetcd.gateway;

/** Go's net.SplitHostPort for "host:port" and "[v6]:port"; null when it would fail. */
public record HostPort(String host, int port) {

  public static HostPort parse(String s) {
    int colon = s.lastIndexOf(':');
    if (colon < 0) return null;
    String host = s.substring(0, colon);
    if (host.startsWith("[")) {
      if (!host.endsWith("]")) return null;
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      return null; // "too many colons"
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      if (port < 0 || port > 65535) return null;
      return new HostPort(host, port);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
