package io.vetcd.transport;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vetcd.metrics.NetworkMetrics;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import io.vetcd.server.ServerCore;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * This member's side of receiving raft messages: one {@link RaftStreamReader}
 * per other member and stream type, kept in step with the membership (a
 * member added gets readers, a member removed loses them). Owned by one
 * context; its own HTTP client, so the long-lived streams never take the
 * connections POST /raft, snapshots and lease forwarding need.
 */
public final class IncomingStreams {
    /**
     * A stream that cannot be had is dialed again every 100 ms, without backing off: etcd's
     * DialRetryFrequency. The dials of a starting cluster's members are refused until each peer
     * listens, and a doubling backoff (it went up to 2 s) kept a member from its peers for up to
     * that long after they came up, with the first election waiting on it.
     */
    static final long FIRST_RETRY_MS = 100;
    static final long MAX_RETRY_MS = 100;
    /** How often membership is compared with the readers and silent streams are looked for. */
    private static final long CHECK_MS = 1000;

    private final Vertx vertx;
    private final Context context;
    private final Membership membership;
    private final ServerCore core;
    private final NetworkMetrics metrics;
    private final HttpClient http;
    /** Per peer id, its readers; touched on context only. */
    private final Map<Long, Map<StreamType, RaftStreamReader>> readers = new HashMap<>();
    private volatile Map<Long, Map<StreamType, RaftStreamReader>> view = Map.of();
    private long timer = -1;
    private boolean closed;

    public IncomingStreams(Vertx vertx, Context context, Membership membership, ServerCore core, NetworkMetrics metrics,
                           io.vertx.core.net.KeyCertOptions clientCertificate) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.context = context;
        this.membership = membership;
        this.core = core;
        HttpClientOptions o = new HttpClientOptions().setKeepAlive(false).setConnectTimeout(1000);
        // as PeerSender: the cluster id check, not the certificate chain, keeps strangers out
        o.setTrustAll(true).setVerifyHost(false);
        if (clientCertificate != null) o.setKeyCertOptions(clientCertificate);
        // one connection per stream type per peer
        this.http = vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(StreamType.values().length));
    }

    public void start() {
        context.runOnContext(v -> {
            if (closed) return;
            reconcile();
            timer = vertx.setPeriodic(CHECK_MS, id -> {
                reconcile();
                readers.values().forEach(byType -> byType.values().forEach(RaftStreamReader::checkIdle));
            });
        });
    }

    /** Whether the stream of this type from the peer is up (any thread). */
    public boolean isUp(long peerId, StreamType type) {
        Map<StreamType, RaftStreamReader> r = view.get(peerId);
        return r != null && r.get(type) != null && r.get(type).isUp();
    }

    private void reconcile() {
        if (closed) return;
        Set<Long> wanted = new HashSet<>();
        for (Member m : membership.members()) if (m.id() != membership.localId()) wanted.add(m.id());
        boolean changed = readers.keySet().removeIf(id -> {
            if (wanted.contains(id)) return false;
            readers.get(id).values().forEach(RaftStreamReader::close);
            return true;
        });
        for (long id : wanted) {
            if (readers.containsKey(id)) continue;
            Map<StreamType, RaftStreamReader> byType = new java.util.EnumMap<>(StreamType.class);
            for (StreamType t : StreamType.values()) {
                RaftStreamReader r = new RaftStreamReader(vertx, http, membership, core, metrics, id, t,
                    new ReconnectBackoff(FIRST_RETRY_MS, MAX_RETRY_MS));
                byType.put(t, r);
                r.start();
            }
            readers.put(id, byType);
            changed = true;
        }
        if (changed) view = Map.copyOf(readers);
    }

    /** Closes every stream; from any thread. */
    public void close() {
        context.runOnContext(v -> {
            closed = true;
            if (timer >= 0) vertx.cancelTimer(timer);
            readers.values().forEach(byType -> byType.values().forEach(RaftStreamReader::close));
            readers.clear();
            view = Map.of();
            http.close();
        });
    }
}
