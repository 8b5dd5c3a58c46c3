package io.vetcd.node;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.config.EtcdConfig;
import io.vetcd.config.tls.SelfSignedCertificate;
import io.vetcd.lease.LeaseClock;
import io.vetcd.lease.Lessor;
import io.vetcd.mvcc.MvccOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.mvcc.WriteTxn;
import io.vetcd.raft.Entry;
import io.vetcd.raft.HardState;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.LeaseExpiryLoop;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import io.vetcd.server.ServerCore;
import io.vetcd.wal.Wal;
import io.vetcd.wal.WalOptions;
import io.vetcd.wal.WalRecovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One member, wired: storage opened (or bootstrapped), the core started, and
 * the peer and client verticles deployed with N instances each. The data
 * directory has etcd's shape: {@code member/wal} and {@code member/db}
 * (RocksDB here where etcd has a bbolt file under member/snap).
 */
public final class VetcdNode {
    private static final Logger log = LoggerFactory.getLogger("etcdserver");
    private static final byte[] MEMBERSHIP_KEY = "vetcd/membership".getBytes(StandardCharsets.UTF_8);

    private final Vertx vertx;
    private final EtcdConfig cfg;
    private final List<String> deployments = new ArrayList<>();
    private Wal wal;
    private MvccStore store;
    private ServerCore core;
    private EtcdServer server;
    private LeaseExpiryLoop leaseExpiry;

    private VetcdNode(Vertx vertx, EtcdConfig cfg) {
        this.vertx = vertx;
        this.cfg = cfg;
    }

    public static Future<VetcdNode> start(Vertx vertx, EtcdConfig cfg) {
        VetcdNode node = new VetcdNode(vertx, cfg);
        return vertx.executeBlocking(() -> {
                node.openStorage();
                return node;
            }, false)
            .compose(n -> n.deploy())
            .map(v -> node)
            .recover(err -> node.stop().transform(x -> Future.failedFuture(err)));
    }

    public EtcdServer server() { return server; }

    private void openStorage() throws IOException {
        Path dataDir = Path.of(cfg.member().dataDir());
        Path memberDir = dataDir.resolve("member");
        Path walDir = cfg.member().walDir().isEmpty() ? memberDir.resolve("wal") : Path.of(cfg.member().walDir());
        Files.createDirectories(memberDir);
        WalOptions walOpts = WalOptions.defaults().withFsync(!cfg.member().unsafeNoFsync());
        boolean existing = Wal.exists(walDir);
        store = MvccStore.open(memberDir.resolve("db"), MvccOptions.defaults());

        Membership membership;
        if (existing) {
            wal = Wal.open(walDir, walOpts);
            membership = loadMembership(ByteBuffer.wrap(wal.metadata()));
            log.info("restarting member {} in cluster {} from {}", ClusterIds.hex(membership.localId()),
                ClusterIds.hex(membership.clusterId()), dataDir);
        } else {
            membership = bootstrapMembership();
            ByteBuffer meta = ByteBuffer.allocate(16).putLong(membership.localId()).putLong(membership.clusterId());
            wal = Wal.create(walDir, walOpts, meta.array());
            saveMembership(membership);
            log.info("starting member {} in cluster {}", ClusterIds.hex(membership.localId()),
                ClusterIds.hex(membership.clusterId()));
        }
        WalRecovery rec = wal.recovered();
        HardState hs = rec.hardState() == null ? HardState.EMPTY : rec.hardState();
        List<Entry> entries = rec.entries();
        long lastIndex = entries.isEmpty() ? hs.commit() : entries.get(entries.size() - 1).index();
        if (rec.snapshot() != null) lastIndex = Math.max(lastIndex, rec.snapshot().index());

        Lessor lessor = new Lessor(store, LeaseClock.SYSTEM, minLeaseTtlSeconds());
        // leases and their keys as of the backend's consistent index; replay brings them up to date
        lessor.recover();
        server = new EtcdServer(vertx, store, lessor, membership, (int) cfg.member().maxTxnOps(), cfg.member().maxRequestBytes());
        core = new ServerCore(wal, server::apply, membership.localId(), hs.term(), lastIndex, store.consistentIndex());
        server.attach(core);
        core.replay(entries);
        core.start();
        // A single member is leader as soon as it starts; the raft integration calls promote/demote on
        // leadership changes instead. Like etcd, leases restart at full TTL plus an election timeout.
        lessor.promote(TimeUnit.MILLISECONDS.toNanos(cfg.member().electionTimeoutMs()));
    }

    /**
     * etcd's minimum lease TTL: long enough to survive a leader election,
     * ceil((3 * electionTicks / 2) * heartbeat) in seconds (2 s with the defaults).
     */
    private long minLeaseTtlSeconds() {
        long heartbeat = Math.max(1, cfg.member().heartbeatIntervalMs());
        long electionTicks = cfg.member().electionTimeoutMs() / heartbeat;
        long minMs = (3 * electionTicks / 2) * heartbeat;
        return (minMs + 999) / 1000;
    }

    private Membership bootstrapMembership() {
        Map<String, List<String>> initial = new LinkedHashMap<>();
        cfg.cluster().initialCluster().forEach((name, urls) -> initial.put(name, urls.stream().map(VetcdNode::urlString).toList()));
        List<String> clientUrls = cfg.cluster().advertiseClientUrls().stream().map(VetcdNode::urlString).toList();
        return Membership.bootstrap(cfg.member().name(), initial, cfg.cluster().initialClusterToken(), clientUrls);
    }

    /** etcd prints URLs without a trailing slash; URI.toString keeps whatever was given. */
    private static String urlString(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private void saveMembership(Membership m) {
        JsonArray arr = new JsonArray();
        for (Member x : m.members()) {
            arr.add(new JsonObject().put("id", Long.toUnsignedString(x.id())).put("name", x.name())
                .put("peerURLs", new JsonArray(x.peerUrls())).put("clientURLs", new JsonArray(x.clientUrls()))
                .put("isLearner", x.learner()));
        }
        JsonObject o = new JsonObject().put("local", Long.toUnsignedString(m.localId()))
            .put("cluster", Long.toUnsignedString(m.clusterId())).put("members", arr);
        WriteTxn txn = store.beginWrite();
        txn.putMeta(MEMBERSHIP_KEY, o.encode().getBytes(StandardCharsets.UTF_8));
        txn.commit(store.consistentIndex());
    }

    private Membership loadMembership(ByteBuffer walMeta) {
        long localId = walMeta.getLong();
        long clusterId = walMeta.getLong();
        byte[] raw = store.getMeta(MEMBERSHIP_KEY);
        List<Member> members = new ArrayList<>();
        if (raw != null) {
            JsonObject o = new JsonObject(new String(raw, StandardCharsets.UTF_8));
            for (Object x : o.getJsonArray("members")) {
                JsonObject j = (JsonObject) x;
                long id = Long.parseUnsignedLong(j.getString("id"));
                List<String> clientUrls = id == localId
                    ? cfg.cluster().advertiseClientUrls().stream().map(VetcdNode::urlString).toList()
                    : j.getJsonArray("clientURLs").stream().map(String::valueOf).toList();
                members.add(new Member(id, j.getString("name"),
                    j.getJsonArray("peerURLs").stream().map(String::valueOf).toList(), clientUrls,
                    j.getBoolean("isLearner", false)));
            }
        }
        return new Membership(localId, clusterId, members);
    }

    private Future<Void> deploy() {
        ListenerTls clientTls = clientTls();
        ListenerTls peerTls = peerTls();
        List<URI> clientUrls = cfg.member().listenClientUrls();
        List<URI> peerUrls = cfg.member().listenPeerUrls();
        int maxStreams = (int) Math.min(Integer.MAX_VALUE, cfg.member().maxConcurrentStreams());
        long maxRequestBytes = cfg.member().maxRequestBytes();
        return vertx.deployVerticle(() -> new PeerVerticle(server, peerUrls, peerTls),
                new DeploymentOptions().setInstances(cfg.vertx().peerInstances()))
            .compose(id -> {
                deployments.add(id);
                return vertx.deployVerticle(() -> new ClientVerticle(server, clientUrls, clientTls, maxRequestBytes, maxStreams),
                    new DeploymentOptions().setInstances(cfg.vertx().clientInstances()));
            })
            .map(id -> {
                deployments.add(id);
                leaseExpiry = new LeaseExpiryLoop(vertx, server);
                leaseExpiry.start();
                announce(clientUrls);
                return null;
            });
    }

    /** The lines operators (and etcd's e2e harness) wait for, printed once clients can be served. */
    private void announce(List<URI> clientUrls) {
        Member local = server.membership().local();
        log.info("published local member to cluster through raft: {Name:{} ClientURLs:{}} cluster-id {}",
            local.name(), local.clientUrls(), ClusterIds.hex(server.clusterId()));
        log.info("enabled capabilities for version 3.4");
        for (URI u : clientUrls) {
            if ("http".equals(u.getScheme())) {
                log.info("serving insecure client requests on {}:{}, this is strongly discouraged!", u.getHost(), u.getPort());
            } else {
                log.info("serving client requests on {}:{}", u.getHost(), u.getPort());
            }
        }
        log.info("ready to serve client requests");
    }

    private ListenerTls clientTls() {
        var s = cfg.security();
        String cert = s.certFile();
        String key = s.keyFile();
        if ((cert == null || cert.isEmpty()) && s.autoTls()) {
            var generated = SelfSignedCertificate.ensure(Path.of(cfg.member().dataDir(), "fixtures", "client"),
                hosts(cfg.member().listenClientUrls()), (int) s.selfSignedCertValidity());
            cert = generated.certFile().toString();
            key = generated.keyFile().toString();
        }
        return new ListenerTls(cert, key, s.trustedCaFile(), s.clientCertAuth(), s.clientCrlFile(), s.cipherSuitesJsse());
    }

    private ListenerTls peerTls() {
        var s = cfg.security();
        String cert = s.peerCertFile();
        String key = s.peerKeyFile();
        if ((cert == null || cert.isEmpty()) && s.peerAutoTls()) {
            var generated = SelfSignedCertificate.ensure(Path.of(cfg.member().dataDir(), "fixtures", "peer"),
                hosts(cfg.member().listenPeerUrls()), (int) s.selfSignedCertValidity());
            cert = generated.certFile().toString();
            key = generated.keyFile().toString();
        }
        return new ListenerTls(cert, key, s.peerTrustedCaFile(), s.peerClientCertAuth(), s.peerCrlFile(), s.cipherSuitesJsse());
    }

    private static List<String> hosts(List<URI> urls) {
        return urls.stream().map(URI::getHost).distinct().toList();
    }

    public Future<Void> stop() {
        if (leaseExpiry != null) leaseExpiry.stop();
        List<Future<Void>> undeploys = new ArrayList<>();
        for (String id : deployments) undeploys.add(vertx.undeploy(id));
        return Future.join(undeploys).<Void>mapEmpty().eventually(() -> vertx.executeBlocking(() -> {
            if (core != null) core.stop();
            if (wal != null) wal.close();
            if (store != null) store.close();
            return null;
        }, false)).mapEmpty();
    }
}
