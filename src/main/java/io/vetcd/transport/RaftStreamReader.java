package io.vetcd.transport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vetcd.metrics.NetworkMetrics;
import io.vetcd.raft.Message;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import io.vetcd.server.ServerCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;

/**
 * Receives one peer's raft messages of one stream type: dials the peer's
 * {@code GET /raft/stream/<type>/<our id>}, decodes frames as they arrive
 * and hands the peer's messages to the core. When the stream cannot be had
 * or breaks (including no bytes, not even a heartbeat, for a while) it is
 * dialed again after a backoff (IncomingStreams gives it etcd's flat 100 ms).
 * State changes are logged once, not every attempt.
 *
 * <p>Everything here runs on one context, the one that calls {@link #start}
 * and {@link #close}; the HTTP client calls back on it.
 */
final class RaftStreamReader {
    private static final Logger log = LoggerFactory.getLogger(RaftStreamReader.class);
    /** etcd's ConnReadTimeout: a stream silent this long (no heartbeat either) is dead. */
    static final long READ_TIMEOUT_MS = 5000;

    final long peerId;
    final StreamType type;
    private final Vertx vertx;
    private final HttpClient http;
    private final Membership membership;
    private final ServerCore core;
    private final NetworkMetrics.Peer peerMetrics;
    private final NetworkMetrics metrics;
    private final ReconnectBackoff backoff;

    private boolean closed;
    private volatile boolean up;
    /** Bumped per dial, so callbacks of an abandoned attempt are ignored. */
    private long attempt;
    private int urlIndex;
    private HttpClientRequest current;
    private long redialTimer = -1;
    private String lastLoggedFailure;
    /** When the current dial started or its stream last delivered bytes (heartbeats included). */
    private long lastActivityNanos;

    RaftStreamReader(Vertx vertx, HttpClient http, Membership membership, ServerCore core, NetworkMetrics metrics,
                     long peerId, StreamType type, ReconnectBackoff backoff) {
        this.metrics = metrics;
        this.peerMetrics = metrics.peer(peerId);
        this.vertx = vertx;
        this.http = http;
        this.membership = membership;
        this.core = core;
        this.peerId = peerId;
        this.type = type;
        this.backoff = backoff;
    }

    void start() {
        dial();
    }

    boolean isUp() {
        return up;
    }

    private void dial() {
        redialTimer = -1;
        if (closed) return;
        long a = ++attempt;
        Member peer = membership.get(peerId);
        if (peer == null || peer.peerUrls().isEmpty()) {
            failed(a, "no peer URLs known");
            return;
        }
        // like etcd's urlPicker: stay on a URL while it works, try the next after a failure
        URI url = URI.create(peer.peerUrls().get(Math.floorMod(urlIndex, peer.peerUrls().size())));
        RequestOptions o = PeerUrls.target(new RequestOptions().setMethod(HttpMethod.GET), url)
            .setURI(type.path(membership.localId()))
            .putHeader(PeerHeaders.CLUSTER_ID, ClusterIds.hex(membership.clusterId()))
            .putHeader(PeerHeaders.FROM, ClusterIds.hex(membership.localId()))
            .putHeader(PeerHeaders.VERSION, EtcdServer.VERSION)
            .putHeader(PeerHeaders.MIN_CLUSTER_VERSION, PeerHeaders.MIN_CLUSTER_VERSION_VALUE)
            .putHeader(PeerHeaders.RAFT_TO, ClusterIds.hex(peerId));
        PeerHeaders.putPeerUrls(o, membership);
        lastActivityNanos = System.nanoTime();
        http.request(o)
            .compose(req -> {
                if (a == attempt) current = req;
                return req.send();
            })
            .onComplete(ar -> {
                if (a != attempt || closed) {
                    if (ar.succeeded()) ar.result().request().connection().close();
                    return;
                }
                if (ar.failed()) {
                    failed(a, TlsErrors.describe(ar.cause()));
                    return;
                }
                HttpClientResponse resp = ar.result();
                if (resp.statusCode() != 200) {
                    int status = resp.statusCode();
                    resp.body().onComplete(b -> failed(a, refusal(status, b.succeeded() ? b.result().toString() : "")));
                    // etcd's stream reader treats 410 as critical: this member was removed and must stop
                    if (status == 410) membership.localRemoved("peer " + ClusterIds.hex(peerId) + " refused its stream: removed member");
                    return;
                }
                connected(a, resp);
            });
    }

    private void connected(long a, HttpClientResponse resp) {
        up = true;
        backoff.reset();
        lastLoggedFailure = null;
        log.info("established the {} stream from peer {}", type.pathSegment(), ClusterIds.hex(peerId));
        metrics.peerActive(membership.localId(), peerId);
        StreamDecoder decoder = StreamDecoder.of(type, membership.localId(), peerId, this::deliver);
        resp.handler(chunk -> {
            if (a != attempt) return;
            lastActivityNanos = System.nanoTime();
            peerMetrics.receivedBytes.add(chunk.length());
            metrics.streamReads.inc();
            try {
                decoder.feed(chunk);
            } catch (IllegalArgumentException e) {
                peerMetrics.receivedFailures.inc();
                broken(a, "malformed stream: " + e.getMessage());
            }
        });
        resp.exceptionHandler(e -> broken(a, TlsErrors.describe(e)));
        resp.endHandler(v -> broken(a, "closed by the peer"));
    }

    /**
     * Called every second or so: a stream (or a dial) with no bytes for the
     * read timeout is given up, as etcd's read deadline does, so a peer that
     * stopped or vanished behind a silent network is redialed, not waited for.
     */
    void checkIdle() {
        if (closed || current == null) return;
        long idleMs = (System.nanoTime() - lastActivityNanos) / 1_000_000;
        if (idleMs < READ_TIMEOUT_MS) return;
        String why = "nothing received for " + idleMs + " ms";
        if (up) {
            broken(attempt, why);
        } else {
            attempt++; // the abandoned dial's callbacks are ignored from now on
            abandonCurrent();
            retryLater("no answer for " + READ_TIMEOUT_MS + " ms");
        }
    }

    private void deliver(Message m) {
        if (m.from() != peerId || m.type().local) return; // a peer speaks only for itself, and only raft's wire messages
        core.receive(m);
    }

    private void broken(long a, String why) {
        if (a != attempt || closed) return;
        up = false;
        attempt++;
        abandonCurrent();
        log.warn("lost the {} stream from peer {}: {}; redialing", type.pathSegment(), ClusterIds.hex(peerId), why);
        metrics.peerInactive(membership.localId(), peerId);
        lastLoggedFailure = why;
        core.runOnCore(node -> node.reportUnreachable(peerId));
        scheduleRedial();
    }

    private void failed(long a, String why) {
        if (a != attempt || closed) return;
        retryLater(why);
    }

    private void retryLater(String why) {
        current = null;
        urlIndex++;
        if (!why.equals(lastLoggedFailure)) {
            log.warn("cannot open the {} stream from peer {}: {}; retrying with backoff", type.pathSegment(),
                ClusterIds.hex(peerId), why);
            lastLoggedFailure = why;
        }
        scheduleRedial();
    }

    private void scheduleRedial() {
        redialTimer = vertx.setTimer(backoff.next(), id -> dial());
    }

    private static String refusal(int status, String body) {
        String why = switch (status) {
            case 410 -> "the peer says this member was removed from the cluster";
            case 412 -> "the peer refused us (cluster ID or member ID mismatch)";
            case 404 -> "the peer does not know this member or the stream type";
            default -> "status " + status;
        };
        return why + (body.isBlank() ? "" : ": " + body.strip());
    }

    private void abandonCurrent() {
        if (current != null) {
            current.connection().close();
            current = null;
        }
    }

    /** Stops for good: the member left the cluster or this one is stopping. */
    void close() {
        if (closed) return;
        closed = true;
        up = false;
        attempt++;
        if (redialTimer >= 0) vertx.cancelTimer(redialTimer);
        abandonCurrent();
    }
}
