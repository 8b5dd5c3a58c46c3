package io.vetcd.proxy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcStatus;

import java.util.concurrent.TimeUnit;

/** The proxy's own unary calls to the cluster (health check, registration, member list), with failover. */
final class UpstreamUnary {
  private UpstreamUnary() {
  }

  static <T> Future<T> call(Upstream upstream, String method, Message request, Parser<T> parser, long timeoutMs) {
    return upstream.open(method).compose(req -> {
      req.timeout(timeoutMs, TimeUnit.MILLISECONDS);
      return req.send(Buffer.buffer(request.toByteArray()));
    }).compose(resp -> resp.last().transform(ar -> {
      if (resp.status() != null && resp.status() != GrpcStatus.OK) {
        return Future.failedFuture(new UpstreamStatusException(resp.status(), resp.statusMessage()));
      }
      if (ar.failed()) return Future.failedFuture(ar.cause());
      try {
        return Future.succeededFuture(parser.parseFrom(ar.result().getBytes()));
      } catch (InvalidProtocolBufferException e) {
        return Future.failedFuture(e);
      }
    }));
  }
}
