package io.vetcd.proxy;

import io.vertx.grpc.common.GrpcStatus;

/** The cluster answered one of the proxy's own calls with a non-OK gRPC status. */
final class UpstreamStatusException extends RuntimeException {
  final GrpcStatus status;

  UpstreamStatusException(GrpcStatus status, String message) {
    super(status + ": " + message);
    this.status = status;
  }
}
