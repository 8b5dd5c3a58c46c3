package io.vetcd.testing;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vetcd.pb.etcdserver.WatchCancelRequest;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchGrpcClient;
import io.vetcd.pb.etcdserver.WatchProgressRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.etcdserver.WatchResponse;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One raw etcdserverpb.Watch stream over the Vert.x gRPC client, on its own connection: the test
 * controls every request and sees every response, and can stop reading (pause) like a slow client.
 */
public final class RawWatchStream implements AutoCloseable {
    public final BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
    private final GrpcClient client;
    private final GrpcClientRequest<WatchRequest, WatchResponse> request;
    private final Future<GrpcClientResponse<WatchRequest, WatchResponse>> response;
    private volatile java.util.function.Consumer<WatchResponse> onResponse = responses::add;

    private RawWatchStream(GrpcClient client, GrpcClientRequest<WatchRequest, WatchResponse> request) {
        this.client = client;
        this.request = request;
        // the handler is set on the event loop as the headers arrive, before any message
        this.response = request.response().onSuccess(r -> r.handler(m -> onResponse.accept(m)));
    }

    public static RawWatchStream open(Vertx vertx, int port) {
        return open(vertx, port, java.util.Map.of());
    }

    /** A stream whose call carries this metadata (e.g. clientv3's require-leader "hasleader: true"). */
    public static RawWatchStream open(Vertx vertx, int port, java.util.Map<String, String> metadata) {
        // etcd clients accept responses of any size (clientv3: MaxCallRecvMsgSize = MaxInt32)
        GrpcClient client = GrpcClient.client(vertx, new io.vertx.grpc.client.GrpcClientOptions().setMaxMessageSize(Integer.MAX_VALUE));
        GrpcClientRequest<WatchRequest, WatchResponse> req =
            client.request(SocketAddress.inetSocketAddress(port, "127.0.0.1"), WatchGrpcClient.Watch).await();
        metadata.forEach(req.headers()::set);
        return new RawWatchStream(client, req);
    }

    /** "grpc-status grpc-message" as sent once the server has ended the stream (e.g. "14 etcdserver: no leader"). */
    public Future<String> ended() {
        return response.compose(r -> r.end().transform(ar -> {
            io.vertx.core.MultiMap block = r.trailers().contains("grpc-status") ? r.trailers() : r.headers();
            return Future.succeededFuture(block.get("grpc-status") + " " + block.get("grpc-message"));
        }));
    }

    public static ByteString bytes(String s) { return ByteString.copyFrom(s, StandardCharsets.UTF_8); }

    /** Replaces the queue with a callback (event loop), e.g. to count rather than keep large responses. */
    public void onResponse(java.util.function.Consumer<WatchResponse> c) { onResponse = c; }

    public void send(WatchRequest r) { request.write(r); }

    public void create(WatchCreateRequest.Builder c) { send(WatchRequest.newBuilder().setCreateRequest(c).build()); }

    public void cancel(long id) {
        send(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(id)).build());
    }

    public void requestProgress() {
        send(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
    }

    /** Stop reading: the transport's flow control then pushes back on the server. */
    public void pause() { response.await().pause(); }

    public void resume() { response.await().resume(); }

    public WatchResponse next() throws InterruptedException {
        WatchResponse r = responses.poll(10, TimeUnit.SECONDS);
        if (r == null) throw new AssertionError("no watch response within 10 s");
        return r;
    }

    public WatchResponse poll(long ms) throws InterruptedException {
        return responses.poll(ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        request.cancel();
        client.close();
    }
}
