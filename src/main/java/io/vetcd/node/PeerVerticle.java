package io.vetcd.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.EtcdException;
import io.vetcd.transport.OutgoingStreams;
import io.vetcd.transport.PeerMembersJson;
import io.vetcd.transport.RaftReceiver;
import io.vetcd.transport.RaftStreamRoute;
import io.vetcd.transport.SnapshotReceiver;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One event loop's share of the peer listeners: the routes other members (and
 * etcd tooling) call: /raft/stream/msgapp|message/:id (long-lived raft
 * streams, written on this verticle's event loop), /raft (batched raft
 * messages when no stream is up), /raft/snapshot, /raft/probing, /version,
 * /members, /members/promote/:id and /leases.
 */
public final class PeerVerticle extends VerticleBase {
    private final EtcdServer server;
    private final List<URI> listenUrls;
    private final ListenerTls tls;

    private final java.nio.file.Path scratchDir;
    private final OutgoingStreams streams;

    public PeerVerticle(EtcdServer server, List<URI> listenUrls, ListenerTls tls, java.nio.file.Path scratchDir,
                        OutgoingStreams streams) {
        this.streams = streams;
        this.scratchDir = scratchDir;
        this.server = server;
        this.listenUrls = listenUrls;
        this.tls = tls;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/version").handler(ctx -> ctx.json(ClientVerticle.versionJson(server)));
        RaftReceiver raft = new RaftReceiver(server.membership(), server.core());
        raft.metrics(server.metrics().network);
        router.post("/raft").handler(raft::handle);
        RaftStreamRoute stream = new RaftStreamRoute(server.membership(), streams);
        router.get("/raft/stream/:type/:from").handler(stream::handle);
        SnapshotReceiver snapshots = new SnapshotReceiver(vertx, server.membership(), server.core(), scratchDir);
        router.post("/raft/snapshot").handler(snapshots::handle);
        router.post("/members/promote/:id").handler(ctx -> {
            long id;
            try {
                id = Long.parseUnsignedLong(ctx.pathParam("id"));
            } catch (NumberFormatException e) {
                ctx.response().setStatusCode(400).end("bad member id");
                return;
            }
            server.memberChanges().promoteHere(id).onComplete(ar -> {
                if (ar.succeeded()) {
                    ctx.json(PeerMembersJson.encode(ar.result()));
                } else if (ar.cause() instanceof EtcdException ee) {
                    int code = switch (ee.error()) {
                        case MEMBER_NOT_FOUND -> 404;
                        case MEMBER_NOT_LEARNER, LEARNER_NOT_READY -> 412;
                        default -> 500;
                    };
                    ctx.response().setStatusCode(code).end(ee.getMessage());
                } else {
                    ctx.response().setStatusCode(500).end(String.valueOf(ar.cause().getMessage()));
                }
            });
        });
        router.post("/leases").handler(ctx -> ctx.request().body().onComplete(ar -> {
            long id;
            try {
                id = io.vetcd.pb.etcdserver.LeaseKeepAliveRequest.parseFrom(ar.result().getBytes()).getID();
            } catch (Exception e) {
                ctx.response().setStatusCode(400).end("bad lease request");
                return;
            }
            server.leaseRenewHere(id).onComplete(r -> {
                if (r.succeeded()) {
                    ctx.response().putHeader("Content-Type", "application/protobuf").end(io.vertx.core.buffer.Buffer.buffer(
                        io.vetcd.pb.etcdserver.LeaseKeepAliveResponse.newBuilder().setID(id).setTTL(r.result()).build().toByteArray()));
                } else {
                    leaseFailure(ctx, r.cause());
                }
            });
        }));
        router.post("/leases/internal").handler(ctx -> ctx.request().body().onComplete(ar -> {
            io.vetcd.pb.etcdserver.LeaseTimeToLiveRequest req;
            try {
                req = io.vetcd.pb.etcdserver.LeaseTimeToLiveRequest.parseFrom(ar.result().getBytes());
            } catch (Exception e) {
                ctx.response().setStatusCode(400).end("bad lease request");
                return;
            }
            server.leaseTimeToLiveHere(req).onComplete(r -> {
                if (r.succeeded()) {
                    ctx.response().putHeader("Content-Type", "application/protobuf")
                        .end(io.vertx.core.buffer.Buffer.buffer(r.result().toByteArray()));
                } else {
                    leaseFailure(ctx, r.cause());
                }
            });
        }));
        router.get("/raft/probing").handler(ctx -> ctx.json(new JsonObject().put("health", true)));
        router.get("/members").handler(ctx -> {
            ctx.response().putHeader("X-Etcd-Cluster-ID", ClusterIds.hex(server.clusterId()));
            ctx.json(PeerMembersJson.encode(server.members()));
        });
        List<Future<HttpServer>> binds = new ArrayList<>();
        for (URI url : listenUrls) {
            HttpServerOptions o = new HttpServerOptions().setHost(url.getHost()).setPort(url.getPort());
            if ("https".equals(url.getScheme())) tls.applyTo(o);
            binds.add(vertx.createHttpServer(o).requestHandler(router).listen());
        }
        return Future.all(binds);
    }

    private static void leaseFailure(io.vertx.ext.web.RoutingContext ctx, Throwable cause) {
        boolean notFound = cause instanceof EtcdException ee && ee.error() == io.vetcd.server.EtcdError.LEASE_NOT_FOUND;
        ctx.response().setStatusCode(notFound ? 404 : 500).end(String.valueOf(cause.getMessage()));
    }
}
