package io.vetcd.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vetcd.pb.etcdserver.KVGrpcClient;
import io.vetcd.pb.etcdserver.LeaseGrpcClient;
import io.vetcd.pb.etcdserver.WatchGrpcClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code n} HTTP/2 connections to the endpoints, each its own {@link HttpClient}
 * whose pool holds at most one HTTP/2 connection, wrapped in its own
 * {@link GrpcClient}. So {@code --conns 10} is ten TCP connections (counted by
 * the connect handler, printed by {@link #describe()}), and all in-flight
 * requests of one connection are HTTP/2 streams multiplexed on it.
 */
final class Conns implements AutoCloseable {
    final Vertx vertx;
    final List<Context> contexts = new ArrayList<>();
    private final List<GrpcClient> grpc = new ArrayList<>();
    private final List<HttpClient> http = new ArrayList<>();
    private final List<KVGrpcClient> kv = new ArrayList<>();
    private final List<WatchGrpcClient> watch = new ArrayList<>();
    private final List<LeaseGrpcClient> lease = new ArrayList<>();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicLong serverMaxStreams = new AtomicLong(-1);
    final List<String> endpoints;

    private Conns(Vertx vertx, List<String> endpoints) {
        this.vertx = vertx;
        this.endpoints = endpoints;
    }

    static Conns open(List<String> endpoints, int n, int threads) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(1, threads))
            .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
        Conns c = new Conns(vertx, endpoints);
        // One context per event loop, so client loops are spread over the threads.
        List<Context> ctxs = new CopyOnWriteArrayList<>();
        try {
            vertx.deployVerticle(() -> new AbstractVerticle() {
                @Override
                public void start() {
                    ctxs.add(context);
                }
            }, new DeploymentOptions().setInstances(Math.max(1, threads))).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start client event loops", e);
        }
        c.contexts.addAll(ctxs);
        for (int i = 0; i < n; i++) {
            SocketAddress addr = parse(endpoints.get(i % endpoints.size()));
            HttpClient hc = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
                    .setTcpNoDelay(true).setConnectTimeout(5000))
                .with(new PoolOptions().setHttp2MaxSize(1))
                .withConnectHandler(conn -> {
                    c.opened.incrementAndGet();
                    if (conn.remoteSettings() != null) c.serverMaxStreams.set(conn.remoteSettings().getMaxConcurrentStreams());
                    conn.remoteSettingsHandler(s -> c.serverMaxStreams.set(s.getMaxConcurrentStreams()));
                })
                .build();
            GrpcClient g = GrpcClient.client(vertx, hc);
            c.http.add(hc);
            c.grpc.add(g);
            c.kv.add(KVGrpcClient.create(g, addr));
            c.watch.add(WatchGrpcClient.create(g, addr));
            c.lease.add(LeaseGrpcClient.create(g, addr));
        }
        return c;
    }

    static SocketAddress parse(String endpoint) {
        String e = endpoint.replaceFirst("^https?://", "");
        int colon = e.lastIndexOf(':');
        if (colon < 0) return SocketAddress.inetSocketAddress(2379, e);
        return SocketAddress.inetSocketAddress(Integer.parseInt(e.substring(colon + 1)), e.substring(0, colon));
    }

    int size() { return grpc.size(); }
    KVGrpcClient kv(int i) { return kv.get(i % kv.size()); }
    WatchGrpcClient watch(int i) { return watch.get(i % watch.size()); }
    LeaseGrpcClient lease(int i) { return lease.get(i % lease.size()); }
    Context context(int i) { return contexts.get(i % contexts.size()); }

    /** Opens every connection now (a serializable range of a key nobody writes), so setup is not measured. */
    void connectAll() {
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            all.add(kv(i).range(io.vetcd.pb.etcdserver.RangeRequest.newBuilder()
                .setKey(com.google.protobuf.ByteString.copyFromUtf8("\u0000bench-connect")).setSerializable(true).build()));
        }
        try {
            Future.all(all).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot reach " + endpoints + ": " + e.getMessage(), e);
        }
    }

    String describe() {
        return "connections opened: " + opened.get() + ", server HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: "
            + (serverMaxStreams.get() < 0 ? "?" : String.valueOf(serverMaxStreams.get()));
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort
        }
    }
}
