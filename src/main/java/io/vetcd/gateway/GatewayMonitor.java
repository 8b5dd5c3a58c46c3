package io.vetcd.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every --retry-delay, dials each failed endpoint once and puts it back in rotation if the dial succeeds. */
final class GatewayMonitor {
  private static final Logger LOG = LoggerFactory.getLogger("tcpproxy");

  private GatewayMonitor() {
  }

  static long start(Vertx vertx, GatewayRemotes remotes, long intervalMs) {
    NetClient probe = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5000));
    String interval = io.vetcd.config.GoDuration.format(java.time.Duration.ofMillis(intervalMs));
    return vertx.setPeriodic(intervalMs, id -> {
      for (GatewayRemotes.Remote r : remotes.inactive()) {
        probe.connect(r.port, r.host).onComplete(ar -> {
          if (ar.succeeded()) {
            ar.result().close();
            remotes.activate(r);
            LOG.atInfo().addKeyValue("address", r.address()).log("activated");
          } else {
            LOG.atWarn().addKeyValue("address", r.address()).addKeyValue("interval", interval)
                .addKeyValue("error", ar.cause().getMessage())
                .log("failed to activate endpoint (stay inactive for another interval)");
          }
        });
      }
    });
  }
}
