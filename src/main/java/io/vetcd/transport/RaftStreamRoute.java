package io.vetcd.transport;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.Membership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer routes {@code GET /raft/stream/msgapp/:from} and
 * {@code GET /raft/stream/message/:from}: a member dials them to receive our
 * raft messages. Checked as etcd's streamHandler does: cluster id (412),
 * stream type (404), sender a parseable id (404) of a known member (404; a
 * removed member is not known either), and {@code X-Raft-To} naming us (412).
 * An accepted dial gets 200 and its headers at once, and then stays open as
 * the peer's {@link RaftStreamWriter}. Never blocks.
 */
public final class RaftStreamRoute {
    private static final Logger log = LoggerFactory.getLogger(RaftStreamRoute.class);

    private final Membership membership;
    private final OutgoingStreams streams;

    public RaftStreamRoute(Membership membership, OutgoingStreams streams) {
        this.membership = membership;
        this.streams = streams;
    }

    public void handle(RoutingContext ctx) {
        HttpServerResponse resp = ctx.response();
        String expected = ClusterIds.hex(membership.clusterId());
        resp.putHeader(PeerHeaders.VERSION, EtcdServer.VERSION).putHeader(PeerHeaders.CLUSTER_ID, expected);
        if (PeerRequestCheck.check(ctx.request().headers(), membership.clusterId(), resp, log, "stream") != null) return;
        StreamType type = StreamType.fromPathSegment(ctx.pathParam("type"));
        if (type == null) {
            PeerErrors.reply(resp, 404, "invalid path");
            return;
        }
        long from;
        try {
            from = Long.parseUnsignedLong(ctx.pathParam("from"), 16);
        } catch (RuntimeException e) {
            log.warn("rejected stream from {}: failed to parse path into ID: {}", ctx.request().remoteAddress(), ctx.pathParam("from"));
            PeerErrors.reply(resp, 404, "invalid from");
            return;
        }
        // a member this cluster removed is told so (it then stops itself, as etcd's does)
        if (membership.isRemoved(from)) {
            log.warn("rejected the {} stream from peer {} since it was removed", type.pathSegment(), ClusterIds.hex(from));
            PeerErrors.reply(resp, 410, "removed member");
            return;
        }
        if (from == membership.localId() || membership.get(from) == null) {
            log.warn("rejected {} stream from {}: failed to find member {} in cluster {}", type.pathSegment(),
                ctx.request().remoteAddress(), ClusterIds.hex(from), expected);
            PeerErrors.reply(resp, 404, "error sender not found");
            return;
        }
        String to = ctx.request().getHeader(PeerHeaders.RAFT_TO);
        if (!ClusterIds.hex(membership.localId()).equals(to)) {
            log.warn("ignored {} stream from member {}: ID mismatch (X-Raft-To {}, this is {})", type.pathSegment(),
                ClusterIds.hex(from), to, ClusterIds.hex(membership.localId()));
            PeerErrors.reply(resp, 412, "to field mismatch");
            return;
        }
        resp.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/octet-stream");
        // this verticle's context: it owns the connection, so it owns the writer
        streams.attach(new RaftStreamWriter(from, type, ctx.vertx().getOrCreateContext(), ctx.request(), streams));
        // headers go out now, as etcd flushes them, so the dialer knows the stream is up before any message;
        // the writer's first drain runs after this, on the same context
        resp.writeHead();
    }
}
