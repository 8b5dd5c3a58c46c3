package io.vetcd.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/**
 * The leader's cluster version negotiation, as etcd's monitorVersions does it: on its first commit in
 * a term and then every few seconds it
 * asks each member's {@code /version}; with no cluster version yet it sets the decided one (or
 * {@value ClusterVersions#MIN_CLUSTER_VERSION} if some member does not answer), and later raises it
 * once every member runs a newer release. The version travels through raft as etcd's v2
 * {@code PUT /0/version}, so etcd members and vetcd members agree on it.
 */
public final class ClusterVersionMonitor {
    /** etcd: rafthttp.ConnWriteTimeout - 1s. */
    static final long INTERVAL_MS = 4000;

    /** A member's server version as its peer {@code /version} reports it. */
    public interface PeerVersions {
        Future<String> serverVersion(Member m);
    }

    private final Vertx vertx;
    private final EtcdServer server;
    private final PeerVersions peers;
    private long timer = -1;
    private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();

    public ClusterVersionMonitor(Vertx vertx, EtcdServer server, PeerVersions peers) {
        this.vertx = vertx;
        this.server = server;
        this.peers = peers;
    }

    public void start() {
        // etcd first looks one interval after start; a fresh cluster settles its version sooner here
        timer = vertx.setPeriodic(1000, INTERVAL_MS, t -> check());
    }

    public void stop() {
        if (timer >= 0) vertx.cancelTimer(timer);
    }

    /** A leader's first commit in its term: decide now rather than at the next interval (etcd does the same). */
    public void nudge() {
        vertx.runOnContext(v -> check());
    }

    private void check() {
        if (!server.core().isLeader() || !running.compareAndSet(false, true)) return;
        Membership ms = server.membership();
        List<Future<String>> asks = new ArrayList<>();
        for (Member m : ms.members()) {
            asks.add(m.id() == ms.localId() ? Future.succeededFuture(EtcdServer.VERSION)
                : peers.serverVersion(m).otherwise((String) null));
        }
        Future.join(asks).onComplete(ar -> {
            List<String> versions = new ArrayList<>();
            for (Future<String> f : asks) versions.add(f.succeeded() ? f.result() : null);
            String decided = ClusterVersions.decide(versions);
            String current = ms.clusterVersion();
            String target = current == null ? (decided == null ? ClusterVersions.MIN_CLUSTER_VERSION : decided)
                : (decided != null && ClusterVersions.compare(current, decided) < 0 ? decided : null);
            if (target == null || !server.core().isLeader()) {
                running.set(false);
                return;
            }
            server.proposeV2(id -> V2Requests.clusterVersion(target, id)).onComplete(done -> running.set(false));
        });
    }
}
