package io.vetcd.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.watch.WatchSink;
import io.vetcd.server.watch.WatchStream;

/**
 * grpc-gateway's {@code POST /v3/watch}: the body is one JSON WatchRequest; the answer is a chunked
 * HTTP/1.1 body of newline-delimited {@code {"result":{...}}} objects for as long as the client
 * stays connected. Needs the body handler {@link JsonGateway} mounts on {@code /v3/*}.
 */
public final class JsonWatchGateway {
    private static final JsonFormat.Printer PRINTER =
        JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

    private final EtcdServer server;

    private final Callers callers;

    public JsonWatchGateway(EtcdServer server, Callers callers) {
        this.server = server;
        this.callers = callers;
    }

    public void mount(Router router) {
        router.post("/v3/watch").handler(this::watch);
        router.post("/v3beta/watch").handler(this::watch);
    }

    private void watch(RoutingContext ctx) {
        WatchRequest.Builder b = WatchRequest.newBuilder();
        try {
            JsonGateway.mergeBody(ctx, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            String msg = JsonGateway.parseErrorText(e);
            ctx.response().setStatusCode(400).putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", msg).put("message", msg).put("code", 3).encode());
            return;
        }
        HttpServerResponse resp = ctx.response().setChunked(true).putHeader("content-type", "application/json");
        WatchStream stream = new WatchStream(server.watchHub(), Vertx.currentContext(), new JsonSink(resp), server::header);
        GatewayStreamLimit.whenClosed(ctx, v -> stream.close());
        resp.exceptionHandler(e -> stream.close());
        new WatchCreateGuard(server, () -> callers.of(ctx), stream).handle(b.build());
    }

    private record JsonSink(HttpServerResponse resp) implements WatchSink {
        @Override
        public Future<Void> write(WatchResponse r) {
            try {
                return resp.write(Buffer.buffer("{\"result\":" + PRINTER.print(r) + "}\n"));
            } catch (InvalidProtocolBufferException | IllegalStateException e) { // IllegalState: connection gone
                return Future.failedFuture(e);
            }
        }

        @Override public boolean writeQueueFull() { return resp.writeQueueFull(); }
        @Override public void drainHandler(Runnable onDrain) { resp.drainHandler(v -> onDrain.run()); }
    }
}
