package io.vetcd.proxy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vetcd.pb.etcdserver.RangeResponse;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * --experimental-serializable-ordering (etcd's clientv3/ordering for the proxy's KV): the proxy remembers the
 * highest store revision any Range answer carried; a Range answered by a member that is behind it (possible for a
 * serializable read from a lagging follower) is asked again of the next endpoint, and when every endpoint has been
 * tried the client gets etcd's {@code ErrNoGreaterRev} text. Reads therefore never go back in revision through
 * this proxy. Shared by every verticle: the revision is one atomic maximum.
 */
final class OrderedRanges {
  static final String NO_GREATER_REV =
      "etcdclient: no cluster members have a revision higher than the previously received revision";

  private final AtomicLong highest = new AtomicLong();

  long highest() {
    return highest.get();
  }

  void seen(long revision) {
    highest.accumulateAndGet(revision, Math::max);
  }

  /** Serves one Range call: the whole request is read, then sent to endpoints in turn until one is not behind. */
  void serve(GrpcServerRequest<Buffer, Buffer> req, Upstream upstream) {
    req.last().onComplete(ar -> {
      if (ar.failed()) return; // the client went away
      long floor = highest.get();
      UpstreamEndpoints eps = upstream.endpoints();
      attempt(req, upstream, ar.result(), floor, eps.start(), 0, null);
    });
  }

  private void attempt(GrpcServerRequest<Buffer, Buffer> req, Upstream upstream, Buffer body, long floor, int start,
                       int i, String lastError) {
    UpstreamEndpoints eps = upstream.endpoints();
    if (i >= eps.size()) {
      GrpcForwarder.fail(req.response(), lastError == null ? GrpcStatus.UNKNOWN : GrpcStatus.UNAVAILABLE,
          lastError == null ? NO_GREATER_REV : lastError);
      return;
    }
    UpstreamEndpoint ep = eps.candidate(start, i);
    upstream.openAt(req.fullMethodName(), ep).compose(call -> {
      GrpcForwarder.copyMetadata(req.headers(), call.headers());
      if (req.timeout() > 0) call.timeout(req.timeout(), TimeUnit.MILLISECONDS);
      return call.send(body);
    }).compose(resp -> resp.last().transform(r -> Future.succeededFuture(new Object[] {resp, r.succeeded() ? r.result() : null})))
        .onComplete(ar -> {
          if (ar.failed()) {
            eps.failed(ep);
            attempt(req, upstream, body, floor, start, i + 1, "grpc-proxy: no endpoint reachable: " + ar.cause().getMessage());
            return;
          }
          var resp = (io.vertx.grpc.client.GrpcClientResponse<?, ?>) ar.result()[0];
          Buffer answer = (Buffer) ar.result()[1];
          if (resp.status() != GrpcStatus.OK || answer == null) {
            // the member's own error (auth, bad range...): passed on as it is
            GrpcForwarder.fail(req.response(), resp.status() == null ? GrpcStatus.UNKNOWN : resp.status(),
                resp.statusMessage() == null ? "" : resp.statusMessage());
            return;
          }
          long rev;
          try {
            rev = RangeResponse.parseFrom(answer.getBytes()).getHeader().getRevision();
          } catch (InvalidProtocolBufferException e) {
            GrpcForwarder.fail(req.response(), GrpcStatus.INTERNAL, "grpc-proxy: undecodable response: " + e.getMessage());
            return;
          }
          if (rev < floor) {
            eps.failed(ep); // behind: later reads start elsewhere
            attempt(req, upstream, body, floor, start, i + 1, null);
            return;
          }
          seen(rev);
          req.response().end(answer);
        });
  }
}
