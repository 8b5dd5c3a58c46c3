package io.vetcd.transport;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import io.vetcd.server.ServerCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the core's raft messages to peers. {@link #send} is called on the
 * core thread and only enqueues. A message goes over the peer's raft stream
 * when the peer has one up ({@link OutgoingStreams}, written on the event
 * loop that accepted it); otherwise, and for snapshots, it is POSTed from
 * this sender's one Vert.x context, where each peer has its own bounded
 * queue and at most one request in flight.
 */
public final class PeerSender implements ServerCore.PeerSender {
    private static final Logger log = LoggerFactory.getLogger(PeerSender.class);
    /** Messages queued for one peer beyond this are dropped; raft resends what matters. */
    private static final int MAX_QUEUED = 4096;
    /** etcd's connPerPipeline: posts in flight to one peer at a time. */
    private static final int CONNECTIONS_PER_PEER = 4;

    private final Vertx vertx;
    private final Context context;
    private final Membership membership;
    private final ServerCore core;
    private final HttpClient http;
    private final Map<Long, Peer> peers = new ConcurrentHashMap<>();
    private final OutgoingStreams streams;
    private final java.util.concurrent.atomic.AtomicLong posted = new java.util.concurrent.atomic.AtomicLong();

    private final io.vetcd.mvcc.MvccStore store;
    private final java.nio.file.Path scratchDir;

    public PeerSender(Vertx vertx, Context context, Membership membership, ServerCore core, OutgoingStreams streams,
                      io.vetcd.mvcc.MvccStore store, java.nio.file.Path scratchDir,
                      io.vertx.core.net.KeyCertOptions clientCertificate) {
        this.streams = streams;
        this.store = store;
        this.scratchDir = scratchDir;
        this.vertx = vertx;
        this.context = context;
        this.membership = membership;
        this.core = core;
        HttpClientOptions o = new HttpClientOptions().setKeepAlive(true)
            .setConnectTimeout(1000).setIdleTimeout(30);
        // Peers with self-signed (auto TLS) certificates are trusted as etcd does: the cluster id check
        // on every request, not the certificate chain, is what keeps strangers out.
        o.setTrustAll(true).setVerifyHost(false);
        // peers that require client certificates (--peer-client-cert-auth) get ours
        if (clientCertificate != null) o.setKeyCertOptions(clientCertificate);
        // enough connections for every peer's posts in flight plus lease forwarding and snapshots
        this.http = vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_PEER + 2));
    }

    private volatile io.vetcd.metrics.NetworkMetrics metrics = io.vetcd.metrics.NetworkMetrics.DETACHED;

    /** Where bytes sent, send failures and peer activity are counted. */
    public void metrics(io.vetcd.metrics.NetworkMetrics m) { this.metrics = m; }

    @Override
    public void send(List<Message> messages) {
        for (Message m : messages) {
            if (m.type() == MessageType.MsgSnap) {
                sendSnapshot(m);
                continue;
            }
            if (streams.offer(m)) continue;
            Peer p = peers.computeIfAbsent(m.to(), Peer::new);
            if (p.queued.incrementAndGet() > MAX_QUEUED) {
                p.queued.decrementAndGet();
                continue;
            }
            p.queue.add(m);
        }
        for (Peer p : peers.values()) {
            if (!p.queue.isEmpty() && p.scheduled.compareAndSet(false, true)) context.runOnContext(v -> p.flush());
        }
    }

    /**
     * A follower needs entries the leader has compacted: stream it the backend (a checkpoint
     * archive, which holds at least everything up to the snapshot's index) with the raft message,
     * via a temporary file so memory stays bounded, and tell raft how it went.
     */
    private void sendSnapshot(Message m) {
        Member peer = membership.get(m.to());
        if (peer == null || peer.peerUrls().isEmpty()) {
            core.runOnCore(node -> node.reportSnapshot(m.to(), true));
            return;
        }
        URI url = URI.create(peer.peerUrls().get(0));
        vertx.executeBlocking(() -> {
            java.nio.file.Files.createDirectories(scratchDir);
            java.nio.file.Path file = java.nio.file.Files.createTempFile(scratchDir, "snapshot-out-", ".bin");
            try (var out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(file))) {
                // etcd's merged snapshot: the MsgSnap as a message frame (8-byte length, raftpb), then the database to EOF
                out.write(MessageFrameEncoder.frame(m));
                core.writeSnapshotDb(out, scratchDir);
            }
            return file;
        }, false).compose(file -> vertx.fileSystem().open(file.toString(), new io.vertx.core.file.OpenOptions().setRead(true))
            .compose(af -> http.request(PeerHeaders.putPostHeaders(PeerUrls.target(new RequestOptions().setMethod(HttpMethod.POST), url)
                    .setURI("/raft/snapshot"), membership, "application/octet-stream")
                    .setIdleTimeout(60_000))
                .compose(req -> req.send(af))
                .compose(resp -> resp.body().map(b -> resp.statusCode())))
            .onComplete(ar -> vertx.fileSystem().delete(file.toString())))
            .onComplete(ar -> {
                boolean ok = ar.succeeded() && ar.result() == 204;
                if (ar.succeeded() && ar.result() == 403) {
                    // etcd's snapshot sender: errMemberRemoved, a critical error that stops this member
                    membership.localRemoved("peer " + ClusterIds.hex(m.to()) + " answered 403 to a snapshot: "
                        + new Answer(403, "").describe());
                }
                if (ok) {
                    log.info("sent database snapshot (index {}) to peer {}", m.snapshot().index(), ClusterIds.hex(m.to()));
                } else {
                    log.warn("failed to send database snapshot to peer {}: {}", ClusterIds.hex(m.to()),
                        ar.succeeded() ? "status " + ar.result() : ar.cause().getMessage());
                }
                core.runOnCore(node -> node.reportSnapshot(m.to(), !ok));
            });
    }

    /** Forwards a keep-alive to the leader's POST /leases (etcd's peer lease handler). */
    public io.vertx.core.Future<Long> renewLease(Member leader, long id) {
        byte[] body = io.vetcd.pb.etcdserver.LeaseKeepAliveRequest.newBuilder().setID(id).build().toByteArray();
        return leasePost(leader, "/leases", body).map(b -> {
            try {
                return io.vetcd.pb.etcdserver.LeaseKeepAliveResponse.parseFrom(b.getBytes()).getTTL();
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw io.vetcd.server.EtcdError.TIMEOUT.exception();
            }
        });
    }

    /** Forwards TimeToLive to the leader's POST /leases/internal. */
    public io.vertx.core.Future<io.vetcd.pb.etcdserver.LeaseTimeToLiveResponse> leaseTimeToLive(
            Member leader, io.vetcd.pb.etcdserver.LeaseTimeToLiveRequest r) {
        // etcd's leasehttp wraps both in leasepb.LeaseInternalRequest/Response
        byte[] body = io.vetcd.pb.lease.LeaseInternalRequest.newBuilder().setLeaseTimeToLiveRequest(r).build().toByteArray();
        return leasePost(leader, "/leases/internal", body).map(b -> {
            try {
                return io.vetcd.pb.lease.LeaseInternalResponse.parseFrom(b.getBytes()).getLeaseTimeToLiveResponse();
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw io.vetcd.server.EtcdError.TIMEOUT.exception();
            }
        });
    }

    private io.vertx.core.Future<io.vertx.core.buffer.Buffer> leasePost(Member leader, String path, byte[] body) {
        URI url = URI.create(leader.peerUrls().get(0));
        RequestOptions req = PeerUrls.target(new RequestOptions().setMethod(HttpMethod.POST), url).setURI(path)
            .putHeader("Content-Type", "application/protobuf")
            .setTimeout(5000);
        return http.request(req).compose(r -> r.send(io.vertx.core.buffer.Buffer.buffer(body)))
            .compose(resp -> resp.body().map(b -> {
                if (resp.statusCode() == 200) return b;
                throw (switch (resp.statusCode()) {
                    case 404 -> io.vetcd.server.EtcdError.LEASE_NOT_FOUND;
                    case 408 -> io.vetcd.server.EtcdError.TIMEOUT; // the leader's apply lags; the caller may retry
                    default -> io.vetcd.server.EtcdError.NO_LEADER;
                }).exception();
            }));
    }

    /** A member's server version from its peer GET /version (etcd's getVersion), for cluster version negotiation. */
    public io.vertx.core.Future<String> serverVersion(Member m) {
        if (m.peerUrls().isEmpty()) return io.vertx.core.Future.failedFuture("member has no peer URLs");
        URI url = URI.create(m.peerUrls().get(0));
        RequestOptions req = PeerUrls.target(new RequestOptions().setMethod(HttpMethod.GET), url).setURI("/version")
            .setTimeout(2000);
        return http.request(req).compose(r -> r.send()).compose(resp -> resp.body().map(b -> {
            if (resp.statusCode() != 200) throw new IllegalStateException("/version answered " + resp.statusCode());
            String v = new io.vertx.core.json.JsonObject(b).getString("etcdserver");
            if (v == null) throw new IllegalStateException("/version names no etcdserver");
            return v;
        }));
    }

    /**
     * A member's HashKV at {@code revision} from its peer {@code GET /members/hashkv} (etcd 3.4.23's
     * corruption check: a JSON HashKVRequest in the body, a JSON HashKVResponse back; 400 with the mvcc
     * error's text when the revision is compacted or in the future).
     */
    public io.vertx.core.Future<io.vetcd.pb.etcdserver.HashKVResponse> hashKV(Member m, long revision, long timeoutMs) {
        if (m.peerUrls().isEmpty()) return io.vertx.core.Future.failedFuture("member has no peer URLs");
        URI url = URI.create(m.peerUrls().get(0));
        RequestOptions req = PeerUrls.target(new RequestOptions().setMethod(HttpMethod.GET), url).setURI("/members/hashkv")
            .putHeader("Content-Type", "application/json").setTimeout(timeoutMs);
        String body = new io.vertx.core.json.JsonObject().put("revision", revision).encode();
        return http.request(req).compose(r -> r.send(body)).compose(resp -> resp.body().map(b -> {
            if (resp.statusCode() != 200) throw new IllegalStateException("unknown error: " + b);
            return PeerHashKvJson.decode(b.toString());
        }));
    }

    /** Forwards a learner promotion to the leader's POST /members/promote/:id, as etcd's peers do. */
    public io.vertx.core.Future<List<Member>> promote(Member leader, long id) {
        URI url = URI.create(leader.peerUrls().get(0));
        RequestOptions req = PeerUrls.target(new RequestOptions().setMethod(HttpMethod.POST), url)
            .setURI("/members/promote/" + Long.toUnsignedString(id))
            .putHeader(PeerHeaders.CLUSTER_ID, ClusterIds.hex(membership.clusterId()))
            .putHeader(PeerHeaders.FROM, ClusterIds.hex(membership.localId()))
            .setTimeout(10_000);
        return http.request(req).compose(r -> r.send()).compose(resp -> resp.body().map(body -> {
            if (resp.statusCode() == 200) return PeerMembersJson.decode(body.toString());
            io.vetcd.server.EtcdError err = switch (resp.statusCode()) {
                case 404 -> io.vetcd.server.EtcdError.MEMBER_NOT_FOUND;
                case 412 -> body.toString().contains("in sync") ? io.vetcd.server.EtcdError.LEARNER_NOT_READY
                    : io.vetcd.server.EtcdError.MEMBER_NOT_LEARNER;
                default -> io.vetcd.server.EtcdError.TIMEOUT;
            };
            throw err.exception();
        }));
    }

    /** Messages sent by POST /raft so far (those that found no stream up). */
    public long messagesPosted() {
        return posted.get();
    }

    public void close() {
        http.close();
    }

    /** A peer's answer to a post. */
    private record Answer(int status, String body) {
        /** As etcd's checkPostResponse reads it. */
        String describe() {
            String text = body.strip();
            return switch (status) {
                case 412 -> text.equals(PeerRequestCheck.INCOMPATIBLE_VERSION) ? "incompatible version"
                    : text.equals(PeerRequestCheck.CLUSTER_ID_MISMATCH) ? "cluster ID mismatch"
                    : "unhandled error \"" + text + "\" when precondition failed";
                case 403 -> "the member has been permanently removed from the cluster";
                default -> "unexpected http status " + status + (text.isEmpty() ? "" : ": " + text);
            };
        }
    }

    private final class Peer {
        final long id;
        final ConcurrentLinkedQueue<Message> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger queued = new AtomicInteger();
        final AtomicBoolean scheduled = new AtomicBoolean();
        int inFlight;
        int urlIndex;
        long failures;

        Peer(long id) {
            this.id = id;
        }

        /** Runs on the sender's context: starts posts until {@link #CONNECTIONS_PER_PEER} are in flight. */
        void flush() {
            scheduled.set(false);
            while (inFlight < CONNECTIONS_PER_PEER && !queue.isEmpty()) {
                Member m = membership.get(id);
                if (m == null || m.peerUrls().isEmpty()) {
                    drop();
                    return;
                }
                Message msg = queue.poll();
                queued.decrementAndGet();
                post(m, msg);
            }
        }

        /** etcd's pipeline.post: one raftpb.Message per request, 204 expected. */
        private void post(Member m, Message msg) {
            // like etcd's urlPicker: stay on a URL while it works, move to the next after a failure
            URI url = URI.create(m.peerUrls().get(Math.floorMod(urlIndex, m.peerUrls().size())));
            RequestOptions req = PeerHeaders.putPostHeaders(
                PeerUrls.target(new RequestOptions().setMethod(HttpMethod.POST), url).setURI("/raft"), membership, "application/protobuf")
                .setTimeout(5000);
            inFlight++;
            io.vertx.core.buffer.Buffer encoded = io.vertx.core.buffer.Buffer.buffer(EtcdRaftMessageCodec.encode(msg));
            posted.incrementAndGet();
            http.request(req)
                .compose(r -> r.send(encoded))
                .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString()))) // drained, so the connection is reused
                .onComplete(ar -> {
                    inFlight--;
                    io.vetcd.metrics.NetworkMetrics nm = metrics;
                    if (ar.succeeded() && ar.result().status() == 204) {
                        failures = 0;
                        nm.peer(id).sentBytes.add(encoded.length());
                        nm.peerActive(membership.localId(), id);
                    } else {
                        urlIndex++;
                        nm.peer(id).sentFailures.inc();
                        nm.peerInactive(membership.localId(), id);
                        String why = ar.succeeded() ? ar.result().describe() : TlsErrors.describe(ar.cause());
                        // etcd's pipeline: a 403 means this member was removed from the cluster, a critical error
                        if (ar.succeeded() && ar.result().status() == 403) membership.localRemoved("peer " + ClusterIds.hex(id) + " answered 403: " + why);
                        if (failures++ % 50 == 0) {
                            log.warn("failed to send {} to peer {} ({}): {}", msg.type(), ClusterIds.hex(id), url, why);
                        }
                        core.runOnCore(node -> node.reportUnreachable(id));
                    }
                    if (!queue.isEmpty()) flush();
                });
        }

        private void drop() {
            while (queue.poll() != null) queued.decrementAndGet();
        }
    }
}
