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
import io.vetcd.transport.PeerHeaders;
import io.vetcd.transport.PeerMembersJson;
import io.vetcd.transport.PeerHashKvJson;
import io.vetcd.transport.PeerUrls;
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
            ctx.response().putHeader(PeerHeaders.CLUSTER_ID, ClusterIds.hex(server.clusterId()));
            long id;
            try {
                id = Long.parseUnsignedLong(ctx.pathParam("id"));
            } catch (NumberFormatException e) {
                textError(ctx, 404, "member " + ctx.pathParam("id") + " not found in cluster");
                return;
            }
            server.memberChanges().promoteHere(id).onComplete(ar -> {
                if (ar.succeeded()) {
                    ctx.response().putHeader("Content-Type", "application/json").end(PeerMembersJson.encode(ar.result()));
                } else if (ar.cause() instanceof EtcdException ee) {
                    // etcd's texts: a forwarding member matches "in sync" to tell the two 412s apart
                    switch (ee.error()) {
                        case MEMBER_NOT_FOUND -> textError(ctx, 404, "membership: ID not found");
                        case MEMBER_NOT_LEARNER -> textError(ctx, 412, "membership: can only promote a learner member");
                        case LEARNER_NOT_READY -> textError(ctx, 412,
                            "etcdserver: can only promote a learner member which is in sync with leader");
                        default -> textError(ctx, 500, ee.getMessage());
                    }
                } else {
                    textError(ctx, 500, String.valueOf(ar.cause().getMessage()));
                }
            });
        });
        // etcd's leasehttp handler: protobuf in and out, no cluster checks
        router.post("/leases").handler(ctx -> ctx.request().body().onComplete(ar -> {
            long id;
            try {
                id = io.vetcd.pb.etcdserver.LeaseKeepAliveRequest.parseFrom(ar.result().getBytes()).getID();
            } catch (Exception e) {
                textError(ctx, 400, "error unmarshalling request");
                return;
            }
            server.leases().renewHere(id).onComplete(r -> {
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
                req = io.vetcd.pb.lease.LeaseInternalRequest.parseFrom(ar.result().getBytes()).getLeaseTimeToLiveRequest();
            } catch (Exception e) {
                textError(ctx, 400, "error unmarshalling request");
                return;
            }
            server.leases().timeToLiveHere(req).onComplete(r -> {
                if (r.succeeded()) {
                    byte[] body = io.vetcd.pb.lease.LeaseInternalResponse.newBuilder().setLeaseTimeToLiveResponse(r.result())
                        .build().toByteArray();
                    ctx.response().putHeader("Content-Type", "application/protobuf").end(io.vertx.core.buffer.Buffer.buffer(body));
                } else {
                    leaseFailure(ctx, r.cause());
                }
            });
        }));
        // etcd's prober handler (pkg/probe): what a peer's prober reads to measure round trips
        router.get("/raft/probing").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8")
            .end(new JsonObject().put("OK", true).put("Now", java.time.Instant.now().toString()).encode() + "\n"));
        router.get("/members").handler(ctx -> ctx.response()
            .putHeader(PeerHeaders.CLUSTER_ID, ClusterIds.hex(server.clusterId()))
            .putHeader("Content-Type", "application/json")
            .end(PeerMembersJson.encode(server.members())));
        // etcd 3.4.23's corruption checks ask peers here: JSON HashKVRequest in, JSON HashKVResponse out
        router.get("/members/hashkv").handler(ctx -> ctx.request().body().onComplete(ar -> {
            long rev;
            try {
                rev = PeerHashKvJson.requestedRevision(ar.succeeded() ? ar.result().toString() : "");
            } catch (RuntimeException e) {
                ctx.response().setStatusCode(400).end("error unmarshalling request\n");
                return;
            }
            new io.vetcd.api.MaintenanceApi(server).hashKV(io.vetcd.pb.etcdserver.HashKVRequest.newBuilder().setRevision(rev).build())
                .onComplete(h -> {
                    if (h.succeeded()) {
                        ctx.response().putHeader(PeerHeaders.CLUSTER_ID, ClusterIds.hex(server.clusterId()))
                            .putHeader("Content-Type", "application/json").end(PeerHashKvJson.encode(h.result()));
                    } else {
                        // etcd answers 400 with the mvcc error's text (compacted, future revision)
                        String why = String.valueOf(h.cause().getMessage()).replaceFirst("^etcdserver: ", "");
                        ctx.response().setStatusCode(400).end(why + "\n");
                    }
                });
        }));
        List<Future<HttpServer>> binds = new ArrayList<>();
        for (URI url : listenUrls) {
            HttpServerOptions o = new HttpServerOptions();
            if (PeerUrls.isTls(url)) tls.applyTo(o);
            if (PeerUrls.isUnix(url)) removeStaleSocket(PeerUrls.socketPath(url));
            binds.add(vertx.createHttpServer(o).requestHandler(router).listen(PeerUrls.address(url)));
        }
        return Future.all(binds);
    }

    /** As etcd's leasehttp answers: 404 "lease not found", 408 when the leader's apply lags, else 400 with the error. */
    /** Socket files this JVM has bound: the verticle's other instances share the server, so only the first may clear the path. */
    private static final java.util.Set<String> BOUND_SOCKETS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** As etcd's NewUnixListener: a socket file left by an earlier run is removed before binding. Blocking, but one small unlink at start-up. */
    private static void removeStaleSocket(String path) {
        if (!BOUND_SOCKETS.add(path)) return;
        try {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(path));
        } catch (java.io.IOException e) {
            // the bind that follows reports the problem with the path
        }
    }

    @Override
    public Future<?> stop() {
        // as etcd's unixListener.Close: the socket file goes with the listener (once, by whichever instance stops first)
        for (URI url : listenUrls) {
            if (PeerUrls.isUnix(url) && BOUND_SOCKETS.remove(PeerUrls.socketPath(url))) {
                vertx.fileSystem().delete(PeerUrls.socketPath(url)).recover(e -> Future.succeededFuture());
            }
        }
        return Future.succeededFuture();
    }

    private static void leaseFailure(io.vertx.ext.web.RoutingContext ctx, Throwable cause) {
        io.vetcd.server.EtcdError e = cause instanceof EtcdException ee ? ee.error() : null;
        if (e == io.vetcd.server.EtcdError.LEASE_NOT_FOUND) {
            textError(ctx, 404, "lease not found");
        } else if (e == io.vetcd.server.EtcdError.TIMEOUT) {
            textError(ctx, 408, "waiting for node to catch up its applied index has timed out");
        } else {
            textError(ctx, 400, String.valueOf(cause.getMessage()));
        }
    }

    /** Go's http.Error: the text, a newline, plain text. */
    private static void textError(io.vertx.ext.web.RoutingContext ctx, int status, String text) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
            .putHeader("X-Content-Type-Options", "nosniff").end(text + "\n");
    }
}
