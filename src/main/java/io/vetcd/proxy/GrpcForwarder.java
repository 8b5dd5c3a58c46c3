package io.vetcd.proxy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Forwards one gRPC call, unary or streaming, message by message to the cluster: request metadata (the auth
 * {@code token} among it) and messages go up, response headers, messages, status and trailers come down, each
 * direction with back-pressure. Messages pass as opaque frames, so every method of every etcd service works
 * without the proxy knowing it. A client that goes away cancels the upstream call, and an upstream that fails
 * ends the client's call with UNAVAILABLE (clients then retry, reaching another endpoint).
 */
final class GrpcForwarder {
  /** Transport headers the HTTP/2 layers on each side set themselves. */
  private static final Set<String> HOP_HEADERS = Set.of("content-type", "te", "grpc-encoding",
      "grpc-accept-encoding", "grpc-timeout", "user-agent", "content-length", "host", "grpc-status", "grpc-message");

  private final Upstream upstream;
  private final KeyNamespace namespace;
  private final boolean readOnly;

  /** @param namespace --namespace, or null */
  GrpcForwarder(Upstream upstream, KeyNamespace namespace) {
    this(upstream, namespace, false);
  }

  /** @param readOnly refuse requests that write ({@code proxy: readonly}; see {@link ReadOnlyCalls}) */
  GrpcForwarder(Upstream upstream, KeyNamespace namespace, boolean readOnly) {
    this.upstream = upstream;
    this.namespace = namespace;
    this.readOnly = readOnly;
  }

  /** Sees a forwarded call's messages, decoded and as the client names its keys (the serializable-read cache's hook). */
  interface Observer {
    /** A request message, before it goes up; null when it could not be decoded. */
    void request(Buffer message);

    /** A response message, before it goes down to the client. */
    void answer(Buffer message);
  }

  void forward(GrpcServerRequest<Buffer, Buffer> req) {
    forward(req, null);
  }

  /** @param observer told of each message, or null */
  void forward(GrpcServerRequest<Buffer, Buffer> req, Observer observer) {
    GrpcServerResponse<Buffer, Buffer> resp = req.response();
    if (readOnly && ReadOnlyCalls.refusesMethod(req.fullMethodName())) {
      refuseWrite(req);
      return;
    }
    req.pause();
    upstream.open(req.fullMethodName()).onComplete(ar -> {
      if (ar.failed()) {
        fail(resp, GrpcStatus.UNAVAILABLE, "grpc-proxy: no endpoint reachable: " + ar.cause().getMessage());
        return;
      }
      String m = req.fullMethodName();
      relay(req, resp, ar.result(), namespace == null ? null : namespace.requestRewrite(m),
          namespace == null ? null : namespace.responseRewrite(m),
          readOnly && ReadOnlyCalls.DEPENDS_ON_REQUEST.contains(m), observer);
    });
  }

  private static void relay(GrpcServerRequest<Buffer, Buffer> req, GrpcServerResponse<Buffer, Buffer> resp,
                            GrpcClientRequest<Buffer, Buffer> up, KeyNamespace.Rewrite upRewrite,
                            KeyNamespace.Rewrite downRewrite, boolean checkWrites, Observer observer) {
    copyMetadata(req.headers(), up.headers());
    if (req.timeout() > 0) up.timeout(req.timeout(), TimeUnit.MILLISECONDS);
    String enc = req.encoding();
    if (enc != null && !enc.equals("identity")) up.encoding(enc);

    boolean[] done = {false};
    // the call was cancelled upstream because its request was refused here: the client's end must not reach it
    boolean[] cancelled = {false};
    // client to cluster
    Handler<Buffer> upward = buf -> {
      try {
        up.write(Buffer.buffer(upRewrite.apply(buf.getBytes())));
      } catch (KeyNamespace.Refused e) {
        done[0] = true;
        cancelled[0] = true;
        up.cancel();
        fail(resp, GrpcStatus.INVALID_ARGUMENT, e.getMessage());
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        done[0] = true;
        cancelled[0] = true;
        up.cancel();
        fail(resp, GrpcStatus.INTERNAL, "grpc: error unmarshalling request: " + e.getMessage());
      }
    };
    req.messageHandler(m -> {
      if (done[0]) return;
      if (checkWrites && ReadOnlyCalls.refusesRequest(req.fullMethodName(), decode(m))) {
        done[0] = true;
        cancelled[0] = true;
        up.cancel();
        fail(resp, GrpcStatus.FAILED_PRECONDITION, ReadOnlyCalls.REFUSAL);
        return;
      }
      if (observer != null) {
        try {
          observer.request(decode(m));
        } catch (RuntimeException e) {
          observer.request(null); // undecodable here: the observer assumes the worst
        }
      }
      if (upRewrite != null) upward.handle(decode(m));
      else up.writeMessage(m);
      if (up.writeQueueFull()) {
        req.pause();
        up.drainHandler(v -> req.resume());
      }
    });
    req.endHandler(v -> {
      if (!cancelled[0]) up.end();
    });
    req.errorHandler(err -> {
      if (!done[0]) up.cancel();
    });
    req.exceptionHandler(err -> {
      if (!done[0]) up.cancel();
    });
    up.exceptionHandler(err -> {
      if (!done[0]) {
        done[0] = true;
        fail(resp, GrpcStatus.UNAVAILABLE, "grpc-proxy: upstream failed: " + err.getMessage());
      }
    });
    req.resume();

    // cluster to client
    up.response().onComplete(ar -> {
      if (ar.failed()) {
        if (!done[0]) {
          done[0] = true;
          fail(resp, GrpcStatus.UNAVAILABLE, "grpc-proxy: upstream failed: " + ar.cause().getMessage());
        }
        return;
      }
      GrpcClientResponse<Buffer, Buffer> in = ar.result();
      copyMetadata(in.headers(), resp.headers());
      String respEnc = in.encoding();
      if (respEnc != null && !respEnc.equals("identity")) resp.encoding(respEnc);
      in.messageHandler(m -> {
        if (done[0]) return;
        if (observer != null) {
          try {
            observer.answer(decode(m));
          } catch (RuntimeException e) {
            // an undecodable answer is failed below when rewritten; otherwise passed on as the cluster sent it
          }
        }
        if (downRewrite != null) {
          try {
            resp.write(Buffer.buffer(downRewrite.apply(decode(m).getBytes())));
          } catch (InvalidProtocolBufferException | RuntimeException e) {
            done[0] = true;
            up.cancel();
            fail(resp, GrpcStatus.INTERNAL, "grpc-proxy: undecodable response: " + e.getMessage());
            return;
          }
        } else {
          resp.writeMessage(m);
        }
        if (resp.writeQueueFull()) {
          in.pause();
          resp.drainHandler(v -> in.resume());
        }
      });
      in.exceptionHandler(err -> {
        if (!done[0]) {
          done[0] = true;
          fail(resp, GrpcStatus.UNAVAILABLE, "grpc-proxy: upstream failed: " + err.getMessage());
        }
      });
      in.endHandler(v -> {
        if (done[0]) return;
        done[0] = true;
        resp.status(in.status() == null ? GrpcStatus.UNKNOWN : in.status());
        if (in.statusMessage() != null) resp.statusMessage(in.statusMessage());
        copyMetadata(in.trailers(), resp.trailers());
        resp.end();
      });
    });
  }

  /** A message's payload, uncompressed (only the identity and gzip encodings that grpc-go uses exist here). */
  private static Buffer decode(io.vertx.grpc.common.GrpcMessage m) {
    if (m.encoding() == null || m.encoding().equals("identity")) return m.payload();
    if (!m.encoding().equals("gzip")) throw new IllegalArgumentException("unsupported grpc-encoding " + m.encoding());
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(m.payload().getBytes()))) {
      return Buffer.buffer(in.readAllBytes());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Ends a call a read-only proxy does not serve, without opening one upstream. */
  static void refuseWrite(GrpcServerRequest<Buffer, Buffer> req) {
    // answered at once: a streaming call (LeaseKeepAlive) may never end its side
    req.handler(ignored -> { });
    req.exceptionHandler(err -> { });
    fail(req.response(), GrpcStatus.FAILED_PRECONDITION, ReadOnlyCalls.REFUSAL);
  }

  static void copyMetadata(MultiMap from, MultiMap to) {
    if (from == null) return;
    for (var e : from) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(":") || HOP_HEADERS.contains(name)) continue;
      to.add(name, e.getValue());
    }
  }

  static void fail(GrpcServerResponse<Buffer, Buffer> resp, GrpcStatus status, String message) {
    try {
      resp.status(status).statusMessage(message).end();
    } catch (IllegalStateException alreadyEnded) {
      // the client's stream is gone or finished; nothing to tell it
    }
  }
}
