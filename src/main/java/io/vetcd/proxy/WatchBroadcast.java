package io.vetcd.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One watcher on the cluster shared by every client watcher of the same key range (and auth token) that can use
 * it: it asks for prev_kv and progress notifications so each receiver can be served whatever it asked for.
 * {@link #nextRev} is the first revision it has not delivered yet. When its upstream stream fails (member died,
 * connection lost), it re-watches from {@link #nextRev} on another endpoint, so receivers neither miss nor repeat
 * an event. Lives on the watch hub's context only.
 */
final class WatchBroadcast {
  private static final Logger LOG = LoggerFactory.getLogger("grpcproxy");

  final WatchHub hub;
  final WatchHub.Group group;
  final long startRevision;
  final Set<ProxiedWatcher> receivers = new LinkedHashSet<>();
  /** The cluster confirmed the watch (its created response came). */
  boolean announced;
  long nextRev;
  ResponseHeader lastHeader = ResponseHeader.getDefaultInstance();
  boolean closed;
  private GrpcClientRequest<Buffer, Buffer> upstream;
  private long generation;

  WatchBroadcast(WatchHub hub, WatchHub.Group group, long startRevision) {
    this.hub = hub;
    this.group = group;
    this.startRevision = startRevision;
    this.nextRev = startRevision;
  }

  /** Whether {@code w} can be served from here without missing an event. */
  boolean accepts(ProxiedWatcher w) {
    if (closed) return false;
    if (!announced) {
      return startRevision == 0 ? w.startRevision == 0 : w.startRevision >= startRevision;
    }
    return w.startRevision == 0 || w.startRevision >= nextRev;
  }

  void add(ProxiedWatcher w) {
    receivers.add(w);
    w.broadcast = this;
    if (announced) {
      // joined a running watch: the proxy confirms it; it gets every event from nextRev on
      if (w.nextRev == 0) w.nextRev = nextRev;
      w.announce(lastHeader.toBuilder().setRevision(Math.max(lastHeader.getRevision(), nextRev - 1)).build());
      hub.metrics.watchersCoalescing.inc();
    }
  }

  void remove(ProxiedWatcher w) {
    if (receivers.remove(w) && announced) hub.metrics.watchersCoalescing.dec();
    if (receivers.isEmpty()) close();
  }

  void open() {
    long gen = ++generation;
    long from = announced ? nextRev : startRevision;
    WatchRequest create = WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
        .setKey(group.key.key()).setRangeEnd(group.key.rangeEnd()).setStartRevision(from)
        .setPrevKv(true).setProgressNotify(true)).build();
    hub.upstream.open("etcdserverpb.Watch/Watch").onComplete(ar -> {
      if (closed || gen != generation) {
        if (ar.succeeded()) ar.result().cancel();
        return;
      }
      if (ar.failed()) {
        lost(gen, ar.cause());
        return;
      }
      GrpcClientRequest<Buffer, Buffer> req = ar.result();
      upstream = req;
      if (!group.key.token().isEmpty()) req.headers().set("token", group.key.token());
      req.exceptionHandler(err -> lost(gen, err));
      req.write(Buffer.buffer(create.toByteArray()));
      req.response().onComplete(rar -> {
        if (rar.failed()) {
          lost(gen, rar.cause());
          return;
        }
        rar.result().handler(buf -> {
          if (gen != generation || closed) return;
          try {
            onResponse(WatchResponse.parseFrom(buf.getBytes()));
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            lost(gen, e);
          }
        });
        rar.result().exceptionHandler(err -> lost(gen, err));
        rar.result().endHandler(v -> lost(gen, new IllegalStateException("watch stream ended: "
            + rar.result().status() + " " + rar.result().statusMessage())));
      });
    });
  }

  private void lost(long gen, Throwable cause) {
    if (closed || gen != generation) return;
    generation++; // whatever the old stream still says is ignored
    LOG.atWarn().addKeyValue("error", String.valueOf(cause.getMessage())).addKeyValue("next-revision", nextRev)
        .log("upstream watch lost; re-watching from the next revision");
    hub.vertx.setTimer(500, t -> {
      if (!closed) open();
    });
  }

  private void onResponse(WatchResponse r) {
    ResponseHeader h = r.getHeader();
    if (r.getCanceled()) {
      for (ProxiedWatcher w : receivers.toArray(new ProxiedWatcher[0])) {
        w.canceledByCluster(r);
        hub.forget(w);
      }
      receivers.clear();
      close();
      return;
    }
    lastHeader = h;
    if (r.getCreated()) {
      if (!announced) {
        announced = true;
        if (nextRev == 0) nextRev = h.getRevision() + 1;
        for (ProxiedWatcher w : receivers) w.announce(h);
      }
      return; // a re-watch's created response: nothing to tell anyone
    }
    if (r.getEventsCount() > 0) {
      hub.metrics.eventsCoalescing.add((double) r.getEventsCount() * Math.max(0, receivers.size() - 1));
      for (ProxiedWatcher w : receivers) w.deliver(h, r.getEventsList());
      long last = r.getEvents(r.getEventsCount() - 1).getKv().getModRevision();
      if (last >= nextRev) nextRev = last + 1;
    } else {
      // progress notification: everything up to the header's revision has been sent
      for (ProxiedWatcher w : receivers) w.progress(h);
      if (h.getRevision() + 1 > nextRev) nextRev = h.getRevision() + 1;
    }
    hub.coalesce(this);
  }

  void close() {
    if (closed) return;
    closed = true;
    generation++;
    if (upstream != null) upstream.cancel();
    hub.dropped(this);
  }
}
