package io.vetcd.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's share of etcd's L4 gateway: accepts TCP connections on --listen-addr and pipes each,
 * byte for byte in both directions, to the first endpoint that accepts a connection (round robin over the
 * endpoints not marked failed). It never looks inside the stream, so gRPC, TLS or HTTP/1 all pass through.
 */
final class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger("tcpproxy");

  private final String host;
  private final int port;
  private final GatewayRemotes remotes;
  private final long retryDelayMs;
  private NetServer server;
  private NetClient client;

  GatewayVerticle(String host, int port, GatewayRemotes remotes, long retryDelayMs) {
    this.host = host;
    this.port = port;
    this.remotes = remotes;
    this.retryDelayMs = retryDelayMs;
  }

  @Override
  public Future<?> start() {
    client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5000).setTcpNoDelay(true));
    server = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true));
    server.connectHandler(this::serve);
    return server.listen();
  }

  private void serve(NetSocket in) {
    in.pause(); // nothing may be read (and lost) before the upstream side exists
    Promise<NetSocket> out = Promise.promise();
    dial(out);
    out.future().onComplete(ar -> {
      if (ar.failed()) {
        in.close();
        return;
      }
      NetSocket up = ar.result();
      // a close on either side closes the other, as etcd's io.Copy pair does
      in.closeHandler(v -> up.close());
      up.closeHandler(v -> in.close());
      in.exceptionHandler(e -> up.close());
      up.exceptionHandler(e -> in.close());
      in.pipeTo(up);
      up.pipeTo(in);
    });
  }

  /** Tries endpoints until one accepts; each refusal marks that endpoint failed for the retry delay. */
  private void dial(Promise<NetSocket> out) {
    GatewayRemotes.Remote r = remotes.pick();
    if (r == null) {
      out.fail("no active endpoint");
      return;
    }
    client.connect(r.port, r.host).onComplete(ar -> {
      if (ar.succeeded()) {
        out.complete(ar.result());
        return;
      }
      remotes.inactivate(r);
      LOG.atWarn().addKeyValue("address", r.address())
          .addKeyValue("interval", io.vetcd.config.GoDuration.format(java.time.Duration.ofMillis(retryDelayMs)))
          .addKeyValue("error", ar.cause().getMessage()).log("deactivated endpoint");
      dial(out);
    });
  }

  @Override
  public Future<?> stop() {
    return server.close().eventually(() -> client.close());
  }
}
