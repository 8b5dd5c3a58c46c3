package io.vetcd.proxy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.pb.etcdserver.LeaseKeepAliveRequest;
import io.vetcd.pb.etcdserver.LeaseKeepAliveResponse;

/** One client's LeaseKeepAlive stream at the proxy: each request is answered once, through {@link LeaseKeepAliveHub}. */
final class LeaseKeepAliveStreamProxy {
  private final LeaseKeepAliveHub hub;
  private final Context context;
  private final GrpcServerRequest<Buffer, Buffer> req;
  private final GrpcServerResponse<Buffer, Buffer> resp;
  private final String token;
  private boolean closed;

  LeaseKeepAliveStreamProxy(LeaseKeepAliveHub hub, Context context, GrpcServerRequest<Buffer, Buffer> req) {
    this.hub = hub;
    this.context = context;
    this.req = req;
    this.resp = req.response();
    String t = req.headers().get("token");
    this.token = t == null ? "" : t;
  }

  void start() {
    req.handler(buf -> {
      long id;
      try {
        id = LeaseKeepAliveRequest.parseFrom(buf.getBytes()).getID();
      } catch (InvalidProtocolBufferException e) {
        finish(GrpcStatus.INTERNAL, "grpc: error unmarshalling request: " + e.getMessage());
        return;
      }
      hub.run(() -> hub.keepAlive(token, id, this));
    });
    req.endHandler(v -> finish(GrpcStatus.OK, null));
    req.exceptionHandler(err -> closed = true);
    req.errorHandler(err -> closed = true);
  }

  /** From the hub's context: the answer goes out on this stream's event loop. */
  void post(LeaseKeepAliveResponse r) {
    context.runOnContext(v -> {
      if (!closed) resp.write(Buffer.buffer(r.toByteArray()));
    });
  }

  private void finish(GrpcStatus status, String message) {
    if (closed) return;
    closed = true;
    try {
      if (message != null) resp.statusMessage(message);
      resp.status(status).end();
    } catch (IllegalStateException gone) {
      // already ended
    }
  }
}
