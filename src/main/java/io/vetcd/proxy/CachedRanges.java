package io.vetcd.proxy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;

import java.util.concurrent.TimeUnit;

/**
 * KV/Range through the cache (etcd's kvProxy.Range): a serializable Range is answered from {@link RangeCache} when
 * it holds the same request; any other Range, and every miss, goes to the cluster and its successful answer is
 * stored. Requests carrying an auth token are only forwarded: the cache is not keyed by who asks, and one user's
 * answer must not reach another.
 */
final class CachedRanges {
  private final RangeCache cache;
  private final ProxyMetrics metrics;
  private final KeyNamespace namespace;

  /** @param namespace --namespace, or null */
  CachedRanges(RangeCache cache, ProxyMetrics metrics, KeyNamespace namespace) {
    this.cache = cache;
    this.metrics = metrics;
    this.namespace = namespace;
  }

  /** True when this call carries credentials and must bypass the cache. */
  static boolean authenticated(GrpcServerRequest<Buffer, Buffer> req) {
    return req.headers().contains("token") || req.headers().contains("authorization");
  }

  void serve(GrpcServerRequest<Buffer, Buffer> req, Upstream upstream) {
    req.last().onComplete(ar -> {
      if (ar.failed()) return; // the client went away
      Buffer body = ar.result();
      RangeRequest r;
      try {
        r = RangeRequest.parseFrom(body.getBytes());
      } catch (InvalidProtocolBufferException e) {
        GrpcForwarder.fail(req.response(), GrpcStatus.INTERNAL, "grpc: error unmarshalling request: " + e.getMessage());
        return;
      }
      ByteString key = r.toBuilder().setSerializable(true).build().toByteString();
      if (r.getSerializable()) {
        Buffer hit = cache.get(key);
        if (hit != null) {
          metrics.cacheHits.inc();
          req.response().end(hit);
          return;
        }
        metrics.cacheMisses.inc();
      }
      long ticket = cache.fillTicket();
      byte[] upBody;
      try {
        upBody = namespace == null ? body.getBytes() : namespace.requestRewrite(req.fullMethodName()).apply(body.getBytes());
      } catch (KeyNamespace.Refused e) {
        GrpcForwarder.fail(req.response(), GrpcStatus.INVALID_ARGUMENT, e.getMessage());
        return;
      } catch (InvalidProtocolBufferException e) {
        GrpcForwarder.fail(req.response(), GrpcStatus.INTERNAL, "grpc: error unmarshalling request: " + e.getMessage());
        return;
      }
      upstream.open(req.fullMethodName()).compose(call -> {
        GrpcForwarder.copyMetadata(req.headers(), call.headers());
        if (req.timeout() > 0) call.timeout(req.timeout(), TimeUnit.MILLISECONDS);
        return call.send(Buffer.buffer(upBody));
      }).compose(resp -> resp.last().transform(l -> Future.succeededFuture(
          new Answer(resp, l.succeeded() ? l.result() : null)))).onComplete(up -> {
        if (up.failed()) {
          GrpcForwarder.fail(req.response(), GrpcStatus.UNAVAILABLE, "grpc-proxy: upstream failed: " + up.cause().getMessage());
          return;
        }
        Answer a = up.result();
        if (a.resp().status() != GrpcStatus.OK || a.body() == null) {
          // the member's own error (compacted, future revision, auth...): passed on, not cached
          GrpcForwarder.fail(req.response(), a.resp().status() == null ? GrpcStatus.UNKNOWN : a.resp().status(),
              a.resp().statusMessage() == null ? "" : a.resp().statusMessage());
          return;
        }
        Buffer answer;
        long revision;
        try {
          byte[] down = namespace == null ? a.body().getBytes()
              : namespace.responseRewrite(req.fullMethodName()).apply(a.body().getBytes());
          answer = Buffer.buffer(down);
          revision = RangeResponse.parseFrom(down).getHeader().getRevision();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
          GrpcForwarder.fail(req.response(), GrpcStatus.INTERNAL, "grpc-proxy: undecodable response: " + e.getMessage());
          return;
        }
        cache.fill(ticket, key, r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), r.getRevision(), revision, answer);
        req.response().end(answer);
      });
    });
  }

  private record Answer(GrpcClientResponse<Buffer, Buffer> resp, Buffer body) {
  }
}
