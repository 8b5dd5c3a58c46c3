package io.vetcd.api;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;

/**
 * Makes a gRPC response's HTTP/2 headers what etcd's Go server sends. Installed on every gRPC
 * request; it runs just before the header block is written, which for a failed unary call is the
 * whole (trailers-only) answer: {@code content-type}, {@code grpc-status}, {@code grpc-message}
 * in Go's encoding, and nothing else (no {@code content-length: 0}, no {@code grpc-accept-encoding},
 * which etcd does not advertise). A status sent in trailers after messages gets its text from
 * {@link GrpcErrors#failStream}.
 */
public final class GoGrpcHeaders {
    private GoGrpcHeaders() {}

    public static void install(HttpServerResponse response) {
        response.headersEndHandler(v -> rewrite(response.headers()));
    }

    static void rewrite(MultiMap headers) {
        headers.remove("grpc-accept-encoding");
        if (headers.contains("grpc-status")) {
            headers.remove("content-length");
            String message = headers.get("grpc-message");
            if (message != null) headers.set("grpc-message", GoGrpcMessage.fromVertxEncoded(message));
        }
    }
}
