package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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

/**
 * etcdserverpb.Watch over gRPC, bound as a raw call handler so the stream sees the transport's
 * write queue and drain events (back-pressure) instead of an unbounded ReadStream adapter.
 * A client half-close keeps the stream open, as in etcd; a reset or a closed connection frees
 * every watcher of the stream.
 */
public final class WatchApi {
    private final EtcdServer server;

    public WatchApi(EtcdServer server) {
        this.server = server;
    }

    public void bind(GrpcServer grpc) {
        grpc.callHandler(WatchGrpcService.Watch, this::open);
    }

    private void open(GrpcServerRequest<WatchRequest, WatchResponse> req) {
        GrpcServerResponse<WatchRequest, WatchResponse> resp = req.response();
        WatchStream stream = new WatchStream(server.watchHub(), Vertx.currentContext(), new GrpcSink(resp), server::header);
        req.handler(stream::handle);
        req.exceptionHandler(e -> stream.close());
        req.errorHandler(e -> stream.close()); // RST_STREAM (client canceled the call)
        resp.exceptionHandler(e -> stream.close());
        req.endHandler(v -> { }); // half-close: etcd keeps sending events
        resp.writeHead();
    }

    private record GrpcSink(GrpcServerResponse<WatchRequest, WatchResponse> resp) implements WatchSink {
        @Override
        public Future<Void> write(WatchResponse r) {
            try {
                return resp.write(r);
            } catch (IllegalStateException e) { // the call was canceled or reset
                return Future.failedFuture(e);
            }
        }

        @Override public boolean takesEncoded() { return true; }

        @Override
        public Future<Void> writeEncoded(byte[] response) {
            try {
                return resp.writeMessage(GrpcMessage.message("identity", Buffer.buffer(response)));
            } catch (IllegalStateException e) { // the call was canceled or reset
                return Future.failedFuture(e);
            }
        }

        @Override public boolean writeQueueFull() { return resp.writeQueueFull(); }
        @Override public void drainHandler(Runnable onDrain) { resp.drainHandler(v -> onDrain.run()); }
    }
}
