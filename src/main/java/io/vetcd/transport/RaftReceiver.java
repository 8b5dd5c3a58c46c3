package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vetcd.raft.Message;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.Membership;
import io.vetcd.server.ServerCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The peer route {@code POST /raft}: checks who is talking (cluster id,
 * sender a known member), decodes the batch and hands every message to the
 * core. Anything wrong is refused with a logged, clear error; nothing a peer
 * sends can stop the member.
 */
public final class RaftReceiver {
    private static final Logger log = LoggerFactory.getLogger(RaftReceiver.class);
    private static final long MAX_BODY = 128L * 1024 * 1024;

    private final Membership membership;
    private final ServerCore core;

    public RaftReceiver(Membership membership, ServerCore core) {
        this.membership = membership;
        this.core = core;
    }

    private volatile io.vetcd.metrics.NetworkMetrics metrics = io.vetcd.metrics.NetworkMetrics.DETACHED;

    /** Where bytes received and receive failures are counted. */
    public void metrics(io.vetcd.metrics.NetworkMetrics m) { this.metrics = m; }

    public void handle(RoutingContext ctx) {
        String cid = ctx.request().getHeader(PeerHeaders.CLUSTER_ID);
        String expected = ClusterIds.hex(membership.clusterId());
        if (cid == null || !cid.equals(expected)) {
            log.warn("rejected raft messages from {}: cluster ID mismatch (local {}, remote {})",
                ctx.request().remoteAddress(), expected, cid);
            ctx.response().setStatusCode(412).putHeader(PeerHeaders.CLUSTER_ID, expected).end("cluster ID mismatch");
            return;
        }
        String from = ctx.request().getHeader(PeerHeaders.FROM);
        long fromId;
        try {
            fromId = Long.parseUnsignedLong(from, 16);
        } catch (RuntimeException e) {
            ctx.response().setStatusCode(400).end("bad " + PeerHeaders.FROM);
            return;
        }
        if (membership.get(fromId) == null) {
            // etcd answers a removed member with 410 Gone so it stops itself
            ctx.response().setStatusCode(410).end("the member has been permanently removed from the cluster");
            return;
        }
        ctx.request().body().onComplete(ar -> {
            if (ar.failed()) {
                ctx.response().setStatusCode(400).end();
                return;
            }
            Buffer body = ar.result();
            if (body.length() > MAX_BODY) {
                ctx.response().setStatusCode(413).end();
                return;
            }
            List<Message> messages;
            try {
                messages = RaftBatchCodec.decode(body);
            } catch (IllegalArgumentException e) {
                metrics.peer(fromId).receivedFailures.inc();
                log.warn("rejected malformed raft messages from {}: {}", ClusterIds.hex(fromId), e.getMessage());
                ctx.response().setStatusCode(400).end("malformed raft messages");
                return;
            }
            metrics.peer(fromId).receivedBytes.add(body.length());
            for (Message m : messages) {
                if (m.from() != fromId) continue; // a peer speaks only for itself
                core.receive(m);
            }
            ctx.response().setStatusCode(204).end();
        });
    }
}
