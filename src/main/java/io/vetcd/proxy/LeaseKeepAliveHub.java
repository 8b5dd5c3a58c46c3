package io.vetcd.proxy;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vetcd.pb.etcdserver.LeaseKeepAliveRequest;
import io.vetcd.pb.etcdserver.LeaseKeepAliveResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lease keep-alive coalescing for the whole proxy: keep-alives of the same lease from any number of clients that
 * arrive while one is already on its way to the cluster ride on that one, and all of them are answered by its
 * response. A client never gets an answer older than its request, so the TTL it sees is always current; what is
 * saved is the cluster's work when many clients (or one chatty one) keep the same lease alive. One keep-alive
 * stream to the cluster per auth token carries it all. Runs on the watch hub's context.
 */
final class LeaseKeepAliveHub {
  private static final Logger LOG = LoggerFactory.getLogger("grpcproxy");

  /** The keep-alive stream to the cluster for one token, and the leases waiting for an answer on it. */
  private final class Channel {
    final String token;
    final Map<Long, List<LeaseKeepAliveStreamProxy>> waiting = new HashMap<>();
    GrpcClientRequest<Buffer, Buffer> stream;
    boolean opening;
    long generation;

    Channel(String token) {
      this.token = token;
    }

    void send(long id) {
      if (stream != null) {
        metrics.keepAlivesSent.inc();
        stream.write(Buffer.buffer(LeaseKeepAliveRequest.newBuilder().setID(id).build().toByteArray()));
      } else if (!opening) {
        open();
      }
    }

    void open() {
      opening = true;
      long gen = ++generation;
      upstream.open("etcdserverpb.Lease/LeaseKeepAlive").onComplete(ar -> {
        opening = false;
        if (ar.failed()) {
          lost(gen, ar.cause());
          return;
        }
        GrpcClientRequest<Buffer, Buffer> req = ar.result();
        if (!token.isEmpty()) req.headers().set("token", token);
        req.exceptionHandler(err -> lost(gen, err));
        stream = req;
        for (Long id : waiting.keySet()) send(id); // the first request sends the headers
        req.response().onComplete(rar -> {
          if (rar.failed()) {
            lost(gen, rar.cause());
            return;
          }
          rar.result().handler(buf -> {
            if (gen != generation) return;
            try {
              answer(this, LeaseKeepAliveResponse.parseFrom(buf.getBytes()));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              lost(gen, e);
            }
          });
          rar.result().exceptionHandler(err -> lost(gen, err));
          rar.result().endHandler(v -> lost(gen, new IllegalStateException("keep-alive stream ended")));
        });
      });
    }

    /** The stream to the cluster broke: the leases still waiting are asked again on a new one. */
    void lost(long gen, Throwable cause) {
      if (gen != generation) return;
      generation++;
      stream = null;
      if (waiting.isEmpty()) return;
      LOG.atWarn().addKeyValue("error", String.valueOf(cause.getMessage())).log("lease keep-alive stream lost; reopening");
      vertx.setTimer(500, t -> {
        if (!waiting.isEmpty() && stream == null && !opening) open();
      });
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final Upstream upstream;
  private final ProxyMetrics metrics;
  private final Map<String, Channel> channels = new HashMap<>();

  LeaseKeepAliveHub(Vertx vertx, Context context, Upstream upstream, ProxyMetrics metrics) {
    this.vertx = vertx;
    this.context = context;
    this.upstream = upstream;
    this.metrics = metrics;
  }

  void run(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  /** On the hub's context: {@code client} wants lease {@code id} kept alive and one answer for it. */
  void keepAlive(String token, long id, LeaseKeepAliveStreamProxy client) {
    metrics.keepAlivesReceived.inc();
    Channel c = channels.computeIfAbsent(token, Channel::new);
    List<LeaseKeepAliveStreamProxy> w = c.waiting.get(id);
    if (w != null) {
      w.add(client); // one is already on its way: this one shares its answer
      metrics.keepAlivesCoalesced.inc();
      return;
    }
    w = new ArrayList<>();
    w.add(client);
    c.waiting.put(id, w);
    c.send(id);
  }

  private void answer(Channel c, LeaseKeepAliveResponse r) {
    List<LeaseKeepAliveStreamProxy> w = c.waiting.remove(r.getID());
    if (w == null) return;
    for (LeaseKeepAliveStreamProxy client : w) client.post(r);
  }
}
