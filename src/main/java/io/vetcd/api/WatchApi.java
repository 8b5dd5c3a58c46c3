package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.pb.etcdserver.WatchGrpcService;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.watch.WatchSink;
import io.vetcd.server.watch.WatchStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * etcdserverpb.Watch over gRPC, bound as a raw call handler so the stream sees the transport's
 * write queue and drain events (back-pressure) instead of an unbounded ReadStream adapter.
 * A client half-close keeps the stream open, as in etcd; a reset or a closed connection frees
 * every watcher of the stream.
 *
 * <p>Pre-encoded event responses are framed here (gRPC's 5-byte prefix) and sent several per
 * HTTP/2 write, as grpc-go does: one write, frame and flush per message was most of the cost of
 * fanning a revision out to many watchers of one connection.
 *
 * <p>The sink is "full" when {@link #UNWRITTEN_HIGH} bytes it wrote are not on the socket yet (the
 * write futures say when they are), not when the HTTP/2 stream is: that one is not writable as soon
 * as the client's flow-control window is used up, which under fan-out is most of the time, and each
 * time all the stream's watchers fell back to catch-up from disk. Counting our own bytes also gives
 * a drain signal that always comes (a write completing), which the stream's drain handler does not.
 */
public final class WatchApi {
    private static final Logger log = LoggerFactory.getLogger(WatchApi.class);
    /** Encoded responses held for one transport write: one HTTP/2 DATA frame's worth. */
    static final int BATCH_BYTES = 16 * 1024;
    /** Written bytes not yet on the socket beyond which the stream's watchers stop taking live events. */
    static final long UNWRITTEN_HIGH = 256 * 1024;
    /** ... and below which they take them again. */
    static final long UNWRITTEN_LOW = UNWRITTEN_HIGH / 2;

    private final EtcdServer server;
    /** Counts a message written pre-encoded (the codec, where gRPC metrics count, never sees it). */
    private java.util.function.IntConsumer sent = bytes -> { };

    private Callers callers;

    public WatchApi(EtcdServer server) {
        this.server = server;
    }

    public void bind(GrpcServer grpc, Callers callers) {
        this.callers = callers;
        grpc.callHandler(WatchGrpcService.Watch, this::open);
        if (grpc instanceof io.vetcd.metrics.MeteredGrpcServer metered) {
            var method = metered.methodAt("/etcdserverpb.Watch/Watch");
            if (method != null) sent = method::sent;
        }
    }

    private void open(GrpcServerRequest<WatchRequest, WatchResponse> req) {
        GrpcServerResponse<WatchRequest, WatchResponse> resp = req.response();
        WatchStream stream = new WatchStream(server.watchHub(), Vertx.currentContext(),
            new GrpcSink(resp, httpResponse(req), sent), server::header);
        req.handler(new WatchCreateGuard(server, () -> callers.of(req), stream)::handle);
        req.exceptionHandler(e -> stream.close());
        req.errorHandler(e -> stream.close()); // RST_STREAM (client canceled the call)
        resp.exceptionHandler(e -> stream.close());
        req.endHandler(v -> { }); // half-close: etcd keeps sending events
        resp.writeHead();
    }

    private static volatile boolean warned;

    /**
     * The HTTP/2 response under the gRPC call, to write several framed messages at once. Null (one
     * write per message) for a call not run by {@link GoGrpcServer} (gRPC-Web, or a test's own server).
     */
    static HttpServerResponse httpResponse(GrpcServerRequest<?, ?> req) {
        if (req instanceof GoGrpcCall<?, ?> call) return call.httpResponse();
        if (!warned) {
            warned = true;
            log.info("watch: no HTTP response under the gRPC call; event responses go out one write each");
        }
        return null;
    }

    private static final class GrpcSink implements WatchSink {
        private final GrpcServerResponse<WatchRequest, WatchResponse> resp;
        private final HttpServerResponse http;
        private Buffer batch;
        private long unwritten;
        private boolean reportedFull;
        private Runnable onDrain = () -> { };

        private final java.util.function.IntConsumer sent;

        GrpcSink(GrpcServerResponse<WatchRequest, WatchResponse> resp, HttpServerResponse http,
                 java.util.function.IntConsumer sent) {
            this.resp = resp;
            this.http = http;
            this.sent = sent;
        }

        @Override
        public Future<Void> write(WatchResponse r) {
            Future<Void> held = flush();
            try {
                return held.failed() ? held : counted(resp.write(r), r.getSerializedSize() + 5L);
            } catch (IllegalStateException e) { // the call was canceled or reset
                return Future.failedFuture(e);
            }
        }

        @Override public boolean takesEncoded() { return true; }

        @Override
        public Future<Void> writeEncoded(byte[] response) {
            sent.accept(response.length);
            if (http == null) {
                try {
                    return counted(resp.writeMessage(GrpcMessage.message("identity", Buffer.buffer(response))),
                        response.length + 5L);
                } catch (IllegalStateException e) {
                    return Future.failedFuture(e);
                }
            }
            if (batch == null) batch = Buffer.buffer(Math.max(BATCH_BYTES, response.length + 5));
            // gRPC message prefix: uncompressed, big-endian length
            batch.appendByte((byte) 0).appendInt(response.length).appendBytes(response);
            return batch.length() >= BATCH_BYTES ? flush() : Future.succeededFuture();
        }

        @Override
        public Future<Void> flush() {
            if (batch == null) return Future.succeededFuture();
            Buffer b = batch;
            batch = null;
            try {
                return counted(http.write(b), b.length());
            } catch (IllegalStateException e) {
                return Future.failedFuture(e);
            }
        }

        /** Counts {@code bytes} as unwritten until {@code f} completes (written to the socket, or failed). */
        private Future<Void> counted(Future<Void> f, long bytes) {
            unwritten += bytes;
            f.onComplete(ar -> {
                unwritten -= bytes;
                if (reportedFull && unwritten <= UNWRITTEN_LOW) {
                    reportedFull = false;
                    onDrain.run();
                }
            });
            return f;
        }

        @Override
        public boolean writeQueueFull() {
            if (unwritten < UNWRITTEN_HIGH) return false;
            reportedFull = true;
            return true;
        }

        @Override public void drainHandler(Runnable onDrain) { this.onDrain = onDrain; }
    }
}
