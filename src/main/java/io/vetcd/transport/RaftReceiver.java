package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vetcd.raft.Message;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.Membership;
import io.vetcd.server.ServerCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The peer route {@code POST /raft}, etcd's pipeline handler: the body is one raftpb.Message
 * ({@code application/protobuf}), answered 204 once handed to the core. Checked as etcd checks
 * it: version and cluster id (412 with etcd's texts), a body that will not read or decode (400,
 * "error reading raft message" / "error unmarshalling raft message"). Like etcd it does not
 * require the sender to be a known member (a member just added may talk before we apply its
 * addition); unlike etcd, a message from a member we do not know is dropped rather than stepped,
 * and never a local-only message type; one from a member the cluster removed is answered 403 (etcd's
 * "cannot process message from removed member"), which stops that member. Anything wrong is refused with a logged, clear error;
 * nothing a peer sends can stop the member.
 */
public final class RaftReceiver {
    private static final Logger log = LoggerFactory.getLogger(RaftReceiver.class);
    /** etcd reads the body without a total limit; a raft message is ~1 MB, so this is generous. */
    private static final long MAX_BODY = 256L * 1024 * 1024;

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
        ctx.response().putHeader(PeerHeaders.CLUSTER_ID, ClusterIds.hex(membership.clusterId()));
        if (PeerRequestCheck.check(ctx.request().headers(), membership.clusterId(), ctx.response(), log, "raft message") != null) {
            return;
        }
        ctx.request().body().onComplete(ar -> {
            if (ar.failed() || ar.result().length() > MAX_BODY) {
                log.warn("failed to read raft message from {}: {}", ctx.request().remoteAddress(),
                    ar.failed() ? ar.cause().getMessage() : "body over " + MAX_BODY + " bytes");
                PeerErrors.reply(ctx.response(), 400, "error reading raft message");
                return;
            }
            Buffer body = ar.result();
            Message m;
            try {
                m = EtcdRaftMessageCodec.decode(body.getBytes());
            } catch (IllegalArgumentException e) {
                log.warn("failed to unmarshal raft message from {}: {}", ctx.request().remoteAddress(), e.getMessage());
                PeerErrors.reply(ctx.response(), 400, "error unmarshalling raft message");
                return;
            }
            if (membership.isRemoved(m.from())) {
                // etcd's Process: the sender learns from the 403 that it was removed, and stops
                log.warn("reject message from removed member {}", ClusterIds.hex(m.from()));
                PeerErrors.reply(ctx.response(), 403, PeerErrors.FROM_REMOVED_MEMBER);
                return;
            }
            metrics.peer(m.from()).receivedBytes.add(body.length());
            if (!m.type().local && m.from() != membership.localId() && membership.get(m.from()) != null) {
                core.receive(m);
            } else if (log.isDebugEnabled()) {
                log.debug("dropped {} from {}: not a member, or not a message peers may send", m.type(), ClusterIds.hex(m.from()));
            }
            ctx.response().setStatusCode(204).end();
        });
    }
}
