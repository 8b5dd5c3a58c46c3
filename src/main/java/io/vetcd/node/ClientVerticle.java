package io.vetcd.node;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vetcd.api.CallAdmission;
import io.vetcd.api.AuthApi;
import io.vetcd.api.Callers;
import io.vetcd.api.ClusterApi;
import io.vetcd.api.ElectionApi;
import io.vetcd.api.JsonConcurrencyGateway;
import io.vetcd.api.JsonGateway;
import io.vetcd.api.JsonWatchGateway;
import io.vetcd.api.KvApi;
import io.vetcd.api.LeaseApi;
import io.vetcd.api.LockApi;
import io.vetcd.api.MaintenanceApi;
import io.vetcd.api.SnapshotApi;
import io.vetcd.api.WatchApi;
import io.vetcd.metrics.MemberMetrics;
import io.vetcd.metrics.MeteredGrpcServer;
import io.vetcd.metrics.MetricsEndpoint;
import io.vetcd.pb.etcdserver.RpcProto;
import io.vetcd.server.EtcdServer;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One event loop's share of the client listeners. Every instance binds every
 * --listen-client-urls address; Vert.x spreads connections over the instances.
 * One port speaks gRPC (h2c with prior knowledge, or TLS with ALPN) and
 * HTTP/1.1 (the JSON gateway, /version, /health): the job etcd gives to cmux.
 */
public final class ClientVerticle extends VerticleBase {
    /** gRPC messages may exceed --max-request-bytes by this much before the transport refuses them (etcd's margin). */
    static final long GRPC_OVERHEAD_BYTES = 512 * 1024;

    private final EtcdServer server;
    private final List<URI> listenUrls;
    private final ListenerTls tls;
    private final long maxRequestBytes;
    private final int maxConcurrentStreams;
    private final List<HttpServer> servers = new ArrayList<>();

    private final io.vetcd.api.HttpAccessControl access;
    private final boolean grpcGateway;

    public ClientVerticle(EtcdServer server, List<URI> listenUrls, ListenerTls tls, long maxRequestBytes,
                          int maxConcurrentStreams, io.vetcd.api.HttpAccessControl access, boolean grpcGateway) {
        this.access = access;
        this.grpcGateway = grpcGateway;
        this.server = server;
        this.listenUrls = listenUrls;
        this.tls = tls;
        this.maxRequestBytes = maxRequestBytes;
        this.maxConcurrentStreams = maxConcurrentStreams;
    }

    /** gRPC keepalive of plaintext connections (etcd 3.4 has none on TLS ones); by default grpc-go's defaults. */
    private GrpcKeepalive.Policy keepalive = GrpcKeepalive.Policy.of(java.time.Duration.ZERO, java.time.Duration.ZERO,
        java.time.Duration.ZERO);

    /** --grpc-keepalive-min-time, --grpc-keepalive-interval, --grpc-keepalive-timeout. */
    ClientVerticle keepalive(GrpcKeepalive.Policy policy) {
        this.keepalive = policy;
        return this;
    }

    @Override
    public Future<?> start() {
        Handler<HttpServerRequest> handler = requestHandler(vertx, server, tls, maxRequestBytes, maxConcurrentStreams,
            access, grpcGateway);
        List<Future<HttpServer>> binds = new ArrayList<>();
        for (URI url : listenUrls) {
            HttpServerOptions o = new HttpServerOptions()
                .setHost(url.getHost()).setPort(url.getPort())
                .setHttp2ClearTextEnabled(true)
                .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(maxConcurrentStreams));
            boolean secure = "https".equals(url.getScheme()) || "unixs".equals(url.getScheme());
            if (secure) tls.applyToClientListener(o);
            GrpcKeepalive.Policy kp = keepalive;
            HttpServer http = vertx.createHttpServer(o)
                .connectionHandler(conn -> {
                    H2cUpgradeHold.install(conn); // Upgrade: h2c clients (the JDK's HttpClient): answer after their preface
                    SchemeInAuthorityFix.install(conn);
                    if (!secure) GrpcKeepalive.install(conn, kp);
                    ResponseFlushes.install(conn);
                })
                .requestHandler(handler);
            servers.add(http);
            binds.add(http.listen());
        }
        return Future.all(binds);
    }

    /**
     * The gRPC services and the HTTP routes of one listener instance, as one request handler. The
     * first call in a process loads and initialises some thousand classes (generated protobuf
     * descriptors, gRPC and Vert.x Web), seconds of CPU on a loaded 2-core machine:
     * {@link #prepare} makes that call on a worker thread before the instances start on their event loops.
     */
    static Handler<HttpServerRequest> requestHandler(io.vertx.core.Vertx vertx, EtcdServer server, ListenerTls tls,
                                                     long maxRequestBytes, int maxConcurrentStreams,
                                                     io.vetcd.api.HttpAccessControl access, boolean grpcGateway) {
        KvApi kv = new KvApi(server);
        MaintenanceApi maintenance = new MaintenanceApi(server);
        ClusterApi cluster = new ClusterApi(server);
        LeaseApi lease = new LeaseApi(server);

        AuthApi auth = new AuthApi(server);
        Callers callers = new Callers(server, tls != null && tls.clientCertAuth());

        MemberMetrics metrics = server.metrics();
        // a call's grpc-timeout ends it with what etcd's handler answers when its context expires (api/DeadlineAnswer)
        // (without it an Observe or a waiting Lock outlived its client's deadline until the client reset it)
        // calls run as grpc-go runs them (GoGrpcServer: malformed requests get etcd's statuses)
        com.google.protobuf.Descriptors.FileDescriptor[] protos = {RpcProto.getDescriptor(),
            io.vetcd.pb.lock.LockProto.getDescriptor(), io.vetcd.pb.election.ElectionProto.getDescriptor()};
        // etcd's interceptors: a learner's few calls, require-leader calls (api/CallAdmission)
        CallAdmission admission = new CallAdmission(vertx, server);
        GrpcServer grpc = new MeteredGrpcServer(new io.vetcd.api.GoGrpcServer(vertx, new GrpcServerOptions()
            .setMaxMessageSize(maxRequestBytes + GRPC_OVERHEAD_BYTES).setScheduleDeadlineAutomatically(true), admission, protos),
            metrics.grpc, protos);
        // every call learns its caller (token or client certificate) for etcd's auth checks
        kv.bind(grpc, callers);
        lease.bind(grpc, callers);
        maintenance.bind(grpc, callers);
        cluster.bind(grpc, callers);
        auth.bind(grpc, callers);
        new WatchApi(server).bind(grpc, callers);
        new SnapshotApi(server).bind(grpc, callers);
        LockApi lock = new LockApi(server);
        ElectionApi election = new ElectionApi(server);
        lock.bind(grpc, callers);
        election.bind(grpc, callers);

        Router router = Router.router(vertx);
        router.route().handler(access); // etcd's accessController: Host whitelist, CORS, OPTIONS
        router.get("/version").handler(ctx -> ctx.json(versionJson(server)));
        mountHealthAndMetrics(router, vertx, server);
        if (grpcGateway) { // --enable-grpc-gateway=false: no /v3 JSON routes, as etcd
            router.routeWithRegex("/v3(alpha|beta)?/.*").handler(io.vetcd.api.GatewayStreamLimit.of(server, maxConcurrentStreams));
            new JsonGateway(kv, lease, maintenance, cluster, auth, callers, admission, maxRequestBytes + GRPC_OVERHEAD_BYTES).mount(router);
            new JsonWatchGateway(server, callers).mount(router);
            new JsonConcurrencyGateway(lock, election, callers).mount(router);
        }

        return req -> dispatch(req, grpc, router);
    }

    /**
     * Does the one-time class loading and initialisation of {@link #requestHandler} on the calling
     * (worker) thread; the handler built is thrown away, each instance builds its own.
     */
    static void prepare(io.vertx.core.Vertx vertx, EtcdServer server, ListenerTls tls, long maxRequestBytes,
                        int maxConcurrentStreams, boolean grpcGateway) {
        requestHandler(vertx, server, tls, maxRequestBytes, maxConcurrentStreams,
            new io.vetcd.api.HttpAccessControl(List.of(), List.of()), grpcGateway);
        if (grpcGateway) prepareJson();
    }

    /**
     * The JSON gateway's first answers otherwise pay, on an event loop, for protobuf's JSON codec
     * building each message type's field accessors by reflection (once per type, interpreted code on a
     * cold JVM): a burst of new gateway watches right after start (etcd's e2e MaxStreams tests) waited
     * on it. Parse and print the common requests and answers once here instead.
     */
    static void prepareJson() {
        try {
            var parser = com.google.protobuf.util.JsonFormat.parser();
            var printer = com.google.protobuf.util.JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
            var h = io.vetcd.pb.etcdserver.ResponseHeader.newBuilder().setRevision(1).setClusterId(1).setMemberId(1).setRaftTerm(1).build();
            var watch = io.vetcd.pb.etcdserver.WatchRequest.newBuilder();
            parser.merge("{\"create_request\":{\"key\":\"Zm9v\",\"start_revision\":1}}", watch);
            printer.print(io.vetcd.pb.etcdserver.WatchResponse.newBuilder().setHeader(h).setCreated(true)
                .addEvents(io.vetcd.pb.mvcc.Event.newBuilder().setKv(io.vetcd.pb.mvcc.KeyValue.newBuilder()
                    .setKey(com.google.protobuf.ByteString.copyFromUtf8("foo")).setModRevision(1))).build());
            parser.merge("{\"key\":\"Zm9v\"}", io.vetcd.pb.etcdserver.RangeRequest.newBuilder());
            printer.print(io.vetcd.pb.etcdserver.RangeResponse.newBuilder().setHeader(h).build());
            parser.merge("{\"key\":\"Zm9v\",\"value\":\"YmFy\"}", io.vetcd.pb.etcdserver.PutRequest.newBuilder());
            printer.print(io.vetcd.pb.etcdserver.PutResponse.newBuilder().setHeader(h).build());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("the JSON gateway's codec failed on a fixed request: " + e.getMessage(), e);
        }
    }

    /** /health and /metrics, served on the client URLs and on --listen-metrics-urls, as etcd does. */
    static void mountHealthAndMetrics(Router router, io.vertx.core.Vertx vertx, EtcdServer server) {
        MemberMetrics metrics = server.metrics();
        router.get("/health").handler(ctx -> health(server, ctx.queryParam("exclude")).onComplete(ar -> {
            boolean ok = ar.succeeded() && ar.result();
            (ok ? metrics.server.healthSuccess : metrics.server.healthFailures).inc();
            ctx.response().setStatusCode(ok ? 200 : 503);
            ctx.json(new JsonObject().put("health", String.valueOf(ok)));
        }));
        MetricsEndpoint.mount(router, vertx, metrics.registry);
    }

    private static void dispatch(HttpServerRequest req, GrpcServer grpc, Router router) {
        String ct = req.getHeader("content-type");
        if (ct != null && ct.startsWith("application/grpc")) {
            io.vetcd.api.GoGrpcHeaders.install(req.response());
            grpc.handle(req);
        }
        else router.handle(req);
    }

    /**
     * etcd's /health: unhealthy while an alarm is raised (unless {@code ?exclude=NOSPACE} and the
     * like name it), else healthy when this member can serve a linearizable read.
     */
    private static Future<Boolean> health(EtcdServer server, List<String> excludedAlarms) {
        for (var a : server.alarms().get(io.vetcd.pb.etcdserver.AlarmType.NONE)) {
            if (!excludedAlarms.contains(a.getAlarm().name())) return Future.succeededFuture(false);
        }
        return server.readBarrier().map(v -> true).otherwise(false);
    }

    /** etcd's /version: this member's release and the cluster version raft agreed on ("not_decided" before). */
    static JsonObject versionJson(EtcdServer server) {
        String cv = server.membership().clusterVersion();
        return new JsonObject().put("etcdserver", EtcdServer.VERSION).put("etcdcluster", cv == null ? "not_decided" : cv);
    }
}
