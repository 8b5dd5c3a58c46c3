package io.vetcd.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One verticle's gRPC connections to the cluster. {@link #open} starts a call on the pinned endpoint and, when
 * that endpoint cannot be reached, on the next ones in turn (endpoint failover); only a call that no endpoint
 * accepts fails. Calls run on the verticle's event loop; nothing blocks.
 */
final class Upstream {
  private static final Logger LOG = LoggerFactory.getLogger("grpcproxy");

  private final UpstreamEndpoints endpoints;
  private final GrpcClient plain;
  private final GrpcClient secure;

  Upstream(Vertx vertx, UpstreamEndpoints endpoints, UpstreamTls tls) {
    this.endpoints = endpoints;
    GrpcClientOptions grpc = new GrpcClientOptions().setMaxMessageSize(Integer.MAX_VALUE)
        .setScheduleDeadlineAutomatically(true);
    int dial = endpoints.dialTimeoutMs();
    this.plain = GrpcClient.client(vertx, grpc, base(dial));
    HttpClientOptions s = base(dial).setSsl(true).setUseAlpn(true);
    if (!tls.caFile().isEmpty()) s.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile()));
    if (!tls.certFile().isEmpty()) {
      s.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()));
    }
    if (tls.insecureSkipVerify()) s.setTrustAll(true).setVerifyHost(false);
    this.secure = GrpcClient.client(vertx, grpc, s);
  }

  private static HttpClientOptions base(int dialTimeoutMs) {
    // h2c with prior knowledge (what grpc-go speaks); grpc-proxy dials for 5 s like its clientv3 DialTimeout,
    // the config's proxy mode for --proxy-dial-timeout
    return new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
        .setConnectTimeout(dialTimeoutMs).setTcpNoDelay(true).setHttp2MultiplexingLimit(-1)
        .setDecompressionSupported(false);
  }

  /** A raw call to {@code fullMethodName} ("etcdserverpb.KV/Range") on the first endpoint that accepts one. */
  Future<GrpcClientRequest<Buffer, Buffer>> open(String fullMethodName) {
    return open(fullMethodName, endpoints.start(), 0, null);
  }

  private Future<GrpcClientRequest<Buffer, Buffer>> open(String method, int start, int attempt, Throwable last) {
    if (attempt >= endpoints.size()) {
      return Future.failedFuture(last);
    }
    UpstreamEndpoint ep = endpoints.candidate(start, attempt);
    if (endpoints.resting(ep) && attempt + 1 < endpoints.size()) {
      // failed within --proxy-failure-wait: try the others first (the last candidate is always dialled)
      return open(method, start, attempt + 1, last);
    }
    GrpcClient client = ep.tls() ? secure : plain;
    return client.request(SocketAddress.inetSocketAddress(ep.port(), ep.host()))
        .map(req -> req.fullMethodName(method))
        .recover(err -> {
          endpoints.failed(ep);
          LOG.atWarn().addKeyValue("endpoint", ep.url()).addKeyValue("error", String.valueOf(err.getMessage()))
              .log("cannot reach endpoint; trying the next");
          return open(method, start, attempt + 1, err);
        });
  }

  /** A raw call on one given endpoint, no failover (for callers that choose endpoints themselves). */
  Future<GrpcClientRequest<Buffer, Buffer>> openAt(String method, UpstreamEndpoint ep) {
    GrpcClient client = ep.tls() ? secure : plain;
    return client.request(SocketAddress.inetSocketAddress(ep.port(), ep.host())).map(req -> req.fullMethodName(method));
  }

  UpstreamEndpoints endpoints() {
    return endpoints;
  }

  Future<Void> close() {
    return Future.join(plain.close(), secure.close()).mapEmpty();
  }
}
