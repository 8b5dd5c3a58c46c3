package io.vetcd.gateway;

import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's endpoints and which of them are in use. A remote that refused a connection is skipped
 * until the monitor finds it accepting again (etcd's tcpproxy: inactivate on a failed dial, re-dial every
 * --retry-delay). Shared by every gateway verticle, hence synchronized; nothing here blocks.
 */
final class GatewayRemotes {

  /** One endpoint: host, port and whether new connections may go to it. */
  static final class Remote {
    final String host;
    final int port;
    private boolean active = true;

    Remote(String host, int port) {
      this.host = host;
      this.port = port;
    }

    String address() {
      return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  private final List<Remote> remotes;
  private int pickCount;

  GatewayRemotes(List<Remote> remotes) {
    this.remotes = List.copyOf(remotes);
  }

  /** Round robin over the active remotes; null when every remote is inactive. */
  synchronized Remote pick() {
    for (int i = 0; i < remotes.size(); i++) {
      Remote r = remotes.get(pickCount++ % remotes.size());
      if (r.active) return r;
    }
    return null;
  }

  synchronized void inactivate(Remote r) {
    r.active = false;
  }

  synchronized void activate(Remote r) {
    r.active = true;
  }

  synchronized List<Remote> inactive() {
    List<Remote> out = new ArrayList<>();
    for (Remote r : remotes) if (!r.active) out.add(r);
    return out;
  }

  List<Remote> all() {
    return remotes;
  }
}
