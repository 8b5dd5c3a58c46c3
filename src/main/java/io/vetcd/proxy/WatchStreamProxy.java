package io.vetcd.proxy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.etcdserver.WatchResponse;

import java.util.HashMap;
import java.util.Map;

/**
 * One client's Watch stream at the proxy. Create requests become {@link ProxiedWatcher}s served by the shared
 * {@link WatchHub}; the proxy numbers watchers itself, per stream from 0 (as etcd's proxy does). Responses from the
 * hub come back to this stream's event loop in the order the hub sent them. While the client's HTTP/2 window is
 * spent, responses wait here in order and go out as it drains; a client that stays behind by more than
 * {@link #WRITE_QUEUE_BYTES} has its stream ended with RESOURCE_EXHAUSTED rather than making the proxy buffer
 * without bound or slowing everyone else's watchers. (Vert.x reports the stream's write queue full as soon as
 * its flow-control window is used up, which a burst of events does in moments; ending the stream there cut every
 * watcher of a busy stream, and with them the cluster watchers: bench/compare --proxy-watch delivered 12,784 of
 * 1,000,000 events.)
 */
final class WatchStreamProxy {
  private static final int WRITE_QUEUE_BYTES = 16 * 1024 * 1024;

  private final WatchHub hub;
  private final Context context;
  private final GrpcServerRequest<Buffer, Buffer> req;
  private final GrpcServerResponse<Buffer, Buffer> resp;
  private final String token;
  private final KeyNamespace namespace;
  /** Live watchers by id; touched on this stream's context only. */
  private final Map<Long, ProxiedWatcher> watchers = new HashMap<>();
  private long nextId;
  private boolean closed;
  /** Responses waiting for the client's window, oldest first, and their size. */
  private final java.util.ArrayDeque<Buffer> waiting = new java.util.ArrayDeque<>();
  private long waitingBytes;

  WatchStreamProxy(WatchHub hub, Context context, GrpcServerRequest<Buffer, Buffer> req, KeyNamespace namespace) {
    this.hub = hub;
    this.namespace = namespace;
    this.context = context;
    this.req = req;
    this.resp = req.response();
    String t = req.headers().get("token");
    this.token = t == null ? "" : t;
  }

  void start() {
    resp.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    req.handler(this::onRequest);
    req.endHandler(v -> finish(GrpcStatus.OK, null));
    req.exceptionHandler(err -> finish(null, null));
    req.errorHandler(err -> finish(null, null));
  }

  private void onRequest(Buffer buf) {
    WatchRequest r;
    try {
      r = WatchRequest.parseFrom(buf.getBytes());
    } catch (InvalidProtocolBufferException e) {
      finish(GrpcStatus.INTERNAL, "grpc: error unmarshalling request: " + e.getMessage());
      return;
    }
    switch (r.getRequestUnionCase()) {
      case CREATE_REQUEST -> create(r.getCreateRequest());
      case CANCEL_REQUEST -> cancel(r.getCancelRequest().getWatchId());
      default -> { } // progress requests: etcd 3.4's proxy does not answer them either
    }
  }

  private void create(WatchCreateRequest cr) {
    if (!validRange(cr.getKey(), cr.getRangeEnd())) {
      write(WatchResponse.newBuilder().setWatchId(-1).setCreated(true).setCanceled(true).build());
      return;
    }
    if (namespace != null) {
      // the watched range, like every key, lives inside the namespace; events come back without the prefix
      cr = cr.toBuilder().setKey(namespace.key(cr.getKey())).setRangeEnd(namespace.rangeEnd(cr.getRangeEnd())).build();
    }
    ProxiedWatcher w = new ProxiedWatcher(this, nextId++, cr, token, namespace);
    watchers.put(w.id, w);
    hub.run(() -> hub.add(w));
  }

  private void cancel(long id) {
    ProxiedWatcher w = watchers.remove(id);
    if (w == null) return;
    hub.run(() -> {
      hub.remove(w);
      post(WatchResponse.newBuilder().setHeader(w.lastHeader).setWatchId(id).setCanceled(true).build());
    });
  }

  /** etcd's watchRange.valid: a single key, a range with end > key, or "from key" (end = "\0"). */
  static boolean validRange(ByteString key, ByteString end) {
    return end.isEmpty() || (end.size() == 1 && end.byteAt(0) == 0)
        || ByteString.unsignedLexicographicalComparator().compare(end, key) > 0;
  }

  /** Called on the hub's context: the response goes out on this stream's own event loop. */
  void post(WatchResponse r) {
    context.runOnContext(v -> write(r));
  }

  /** Called on the hub's context when the cluster ended {@code w}. */
  void forget(ProxiedWatcher w) {
    context.runOnContext(v -> watchers.remove(w.id, w));
  }

  private void write(WatchResponse r) {
    if (closed) return;
    Buffer b = Buffer.buffer(r.toByteArray());
    if (!waiting.isEmpty() || resp.writeQueueFull()) {
      waiting.add(b);
      waitingBytes += b.length();
      if (waitingBytes > WRITE_QUEUE_BYTES) {
        waiting.clear();
        finish(GrpcStatus.RESOURCE_EXHAUSTED, "grpc-proxy: watch client too slow; stream ended");
        return;
      }
      if (waiting.size() == 1) resp.drainHandler(v -> drain());
      return;
    }
    resp.write(b);
  }

  /** The client's window opened again: what waited goes out, in order, until it is spent again. */
  private void drain() {
    while (!closed && !waiting.isEmpty() && !resp.writeQueueFull()) {
      Buffer b = waiting.poll();
      waitingBytes -= b.length();
      resp.write(b);
    }
    if (!waiting.isEmpty() && !closed) resp.drainHandler(v -> drain());
  }

  private void finish(GrpcStatus status, String message) {
    if (closed) return;
    closed = true;
    for (ProxiedWatcher w : watchers.values()) hub.run(() -> hub.remove(w));
    watchers.clear();
    if (status == null) return; // the client reset the stream: nobody to answer
    try {
      if (message != null) resp.statusMessage(message);
      resp.status(status).end();
    } catch (IllegalStateException gone) {
      // already ended
    }
  }
}
