package io.vetcd.testing;

import com.google.protobuf.MessageLite;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One unary gRPC call made over plain HTTP/2 (h2c, prior knowledge), so a test sees the raw header
 * and trailer values on the wire, before any gRPC library decodes them.
 */
public final class RawGrpcCall {
    /** The answer's header block (without :status) and trailer block, as "name: value" lines in wire order. */
    public record Answer(int httpStatus, List<String> headers, List<String> trailers, Buffer body) {}

    private RawGrpcCall() {}

    public static Answer call(Vertx vertx, int port, String path, MessageLite request) throws Exception {
        byte[] msg = request.toByteArray();
        return call(vertx, port, path, Buffer.buffer().appendByte((byte) 0).appendInt(msg.length).appendBytes(msg), Map.of());
    }

    /** A call whose request body is these bytes as they are (any framing, or none), with extra request headers. */
    public static Answer call(Vertx vertx, int port, String path, Buffer body, Map<String, String> headers) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        try {
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("content-type", "application/grpc").putHeader("te", "trailers");
            headers.forEach(options::putHeader);
            // on one context (see ClientContext: from a test thread a fast error answer can be lost)
            return ClientContext.run(client, () -> client.request(options)
                .compose(req -> req.send(body))
                .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(),
                    lines(resp.headers()), lines(resp.trailers()), b))))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }

    private static List<String> lines(Iterable<Map.Entry<String, String>> block) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : block) out.add(e.getKey() + ": " + e.getValue());
        return out;
    }
}
