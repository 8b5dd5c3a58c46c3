package io.vetcd.node;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vetcd.config.EtcdConfig;
import io.vetcd.config.tls.SelfSignedCertificate;
import io.vetcd.etcdformat.EtcdDataDirImport;
import io.vetcd.lease.LeaseClock;
import io.vetcd.lease.Lessor;
import io.vetcd.mvcc.MvccOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.MemoryStorage;
import io.vetcd.raft.RaftConfig;
import io.vetcd.raft.RaftNode;
import io.vetcd.raft.Role;
import io.vetcd.server.MemberChanges;
import io.vetcd.server.MembershipRecord;
import io.vetcd.server.ClusterIds;
import io.vetcd.discovery.DnsSrvLookup;
import io.vetcd.discovery.SrvCluster;
import io.vetcd.discovery.V2Discovery;
import io.vetcd.discovery.V3Discovery;
import io.vetcd.server.ClusterVersionMonitor;
import io.vetcd.server.ClusterVersions;
import io.vetcd.server.MemberJson;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.LeaseExpiryLoop;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import io.vetcd.server.ServerCore;
import io.vetcd.transport.IncomingStreams;
import io.vetcd.transport.OutgoingStreams;
import io.vetcd.transport.PeerSender;
import io.vetcd.transport.RemoteMembership;
import io.vetcd.server.watch.WatchHub;
import io.vetcd.server.watch.WatchOptions;
import io.vetcd.wal.Wal;
import io.vetcd.wal.WalOptions;
import io.vetcd.wal.WalSnapshotMarker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One member, wired: storage opened (or bootstrapped), the core started, and
 * the peer and client verticles deployed with N instances each. The data
 * directory has etcd's shape: {@code member/wal} and {@code member/db}
 * (RocksDB here where etcd has a bbolt file under member/snap).
 */
public final class VetcdNode {
    private static final Logger log = LoggerFactory.getLogger("etcdserver");

    private final Vertx vertx;
    private final EtcdConfig cfg;
    private final List<String> deployments = new ArrayList<>();
    private final Promise<Void> leaderElected = Promise.promise();
    private Context transportContext;
    private PeerSender peerSender;
    private ClusterVersionMonitor versionMonitor;
    private io.vetcd.server.CorruptionCheck corruptionCheck;
    /** Starts raft; run once the member may take part (after the initial corruption check). */
    private Runnable startRaft;
    /**
     * A member with peers starts raft once its peer listener serves: until then no vote or answer can
     * reach it, and each election timeout that passed would only be a campaign nobody hears, raising
     * its term; when it does connect, that higher term unseats the leader its peers elected meanwhile
     * (a second election). etcd binds its peer listener before raft starts, so it never has the gap.
     */
    private boolean raftWaitsForPeerListener;
    /** Whether this start found the member's data (etcd checks corruption only then). */
    private boolean restarted;
    private OutgoingStreams outgoingStreams;
    private IncomingStreams incomingStreams;
    private Wal wal;
    private MvccStore store;
    private ServerCore core;
    private EtcdServer server;
    private LeaseExpiryLoop leaseExpiry;
    private io.vetcd.server.AutoCompactor autoCompactor;
    private final io.vetcd.metrics.MemberMetrics metrics;

    private VetcdNode(Vertx vertx, EtcdConfig cfg) {
        this.vertx = vertx;
        this.cfg = cfg;
        this.metrics = new io.vetcd.metrics.MemberMetrics("extensive".equals(cfg.member().metrics()));
    }

    private LeaseClock leaseClock = LeaseClock.SYSTEM;

    public static Future<VetcdNode> start(Vertx vertx, EtcdConfig cfg) {
        return start(vertx, cfg, LeaseClock.SYSTEM);
    }

    /** With the clock lease expiry is measured on: tests move it by hand instead of waiting out TTLs. */
    public static Future<VetcdNode> start(Vertx vertx, EtcdConfig cfg, LeaseClock leaseClock) {
        VetcdNode node = create(vertx, cfg);
        node.leaseClock = leaseClock;
        return node.start();
    }

    /** A member not started yet: register its listeners ({@link #onRemoved}), then {@link #start()}. */
    public static VetcdNode create(Vertx vertx, EtcdConfig cfg) {
        return new VetcdNode(vertx, cfg);
    }

    /** Opens the storage, joins or starts raft, and deploys the listeners; completes once a leader is known. */
    public Future<VetcdNode> start() {
        VetcdNode node = this;
        node.transportContext = vertx.getOrCreateContext();
        return vertx.executeBlocking(() -> {
                node.openStorage();
                return node;
            }, false)
            .compose(n -> n.deploy())
            .map(v -> node)
            .recover(err -> node.stop().transform(x -> Future.failedFuture(err)));
    }

    public EtcdServer server() { return server; }

    /** The raft streams peers dialed here, which carry our messages to them. */
    public OutgoingStreams outgoingStreams() { return outgoingStreams; }

    /** The raft streams this member dialed to receive its peers' messages. */
    public IncomingStreams incomingStreams() { return incomingStreams; }

    public PeerSender peerSender() { return peerSender; }

    private void openStorage() throws IOException {
        Path dataDir = Path.of(cfg.member().dataDir());
        Path memberDir = dataDir.resolve("member");
        Path walDir = cfg.member().walDir().isEmpty() ? memberDir.resolve("wal") : Path.of(cfg.member().walDir());
        Files.createDirectories(memberDir);
        // --max-wals as etcd's purge; the segment size is etcd's fixed 64 MiB, smaller only for tests (-Dvetcd.wal.segment-bytes)
        WalOptions walOpts = WalOptions.defaults().withFsync(!cfg.member().unsafeNoFsync()).withMaxFiles(cfg.member().maxWals())
            .withSegmentSize(Long.getLong("vetcd.wal.segment-bytes", WalOptions.DEFAULT_SEGMENT_SIZE));
        if (EtcdDataDirImport.applies(memberDir, walDir)) {
            EtcdDataDirImport.Summary s = new EtcdDataDirImport(memberDir, walDir, walOpts).run();
            log.info("imported etcd data directory {}: member {} cluster {}, revision {} (compacted at {}), {} keys"
                    + " ({} versions), {} leases, {} members, raft applied index {} commit {} ({} entries to replay);"
                    + " etcd's files kept in {} and {}", dataDir, ClusterIds.hex(s.memberId()), ClusterIds.hex(s.clusterId()),
                s.revision(), s.compactRevision(), s.keys(), s.versions(), s.leases(), s.members(), s.appliedIndex(),
                s.commitIndex(), s.replayedEntries(), memberDir.resolve("snap" + EtcdDataDirImport.ASIDE_SUFFIX),
                walDir.resolveSibling(walDir.getFileName() + EtcdDataDirImport.ASIDE_SUFFIX));
        }
        boolean existing = Wal.exists(walDir);
        restarted = existing;
        // etcd's limit counts revisions per compaction batch; ours counts keys, each with its revisions
        store = MvccStore.open(memberDir.resolve("db"), MvccOptions.forQuota(cfg.member().quotaBackendBytes())
            .withCompactionBatchKeys((int) Math.max(1, Math.min(Integer.MAX_VALUE, cfg.member().experimentalCompactionBatchLimit()))));

        long heartbeat = cfg.member().heartbeatIntervalMs();
        int electionTick = (int) Math.max(2, cfg.member().electionTimeoutMs() / heartbeat);
        Membership membership;
        MemoryStorage raftStorage = new MemoryStorage();
        RaftNode raft;
        long applied = store.consistentIndex();
        long walSnapshotIndex = 0; // the WAL's own snapshot marker, where the next snapshot counts from
        if (existing) {
            // Entries the backend already applied are not replayed into memory, except the last
            // --snapshot-catchup-entries of them, which a lagging follower may still be sent (as the
            // running member keeps after each snapshot): a restart's heap follows what it replays.
            wal = Wal.openSkipping(walDir, walOpts, applied - cfg.member().snapshotCatchUpEntries());
            // etcd's "repaired WAL file" note: an interrupted last write was cut off (it was never acknowledged)
            if (wal.repairedTornTail()) log.warn("repaired a torn tail of the WAL in {} (an interrupted last write)", walDir);
            ByteBuffer meta = ByteBuffer.wrap(wal.metadata());
            long localId = meta.getLong();
            long clusterId = meta.getLong();
            JsonObject record = MembershipRecord.read(store);
            List<Member> members = record == null ? List.of() : MembershipRecord.members(record);
            membership = new Membership(localId, clusterId, withLocalClientUrls(members, localId));
            if (record != null) {
                membership.clusterVersion(MembershipRecord.clusterVersion(record));
                membership.addRemoved(MembershipRecord.removed(record));
            }
            WalSnapshotMarker marker = wal.recovered().snapshot();
            if (marker != null) walSnapshotIndex = marker.index();
            ConfState atApplied = record == null ? ConfState.EMPTY : MembershipRecord.confState(record);
            long snapshotIndex = wal.restoreInto(raftStorage, atApplied);
            if (cfg.member().forceNewCluster()) forceStandalone(membership, raftStorage, atApplied, applied);
            raft = new RaftNode(raftConfig(localId, electionTick).withApplied(snapshotIndex), raftStorage);
            log.info("{} member {} in cluster {} at commit index {}", cfg.member().forceNewCluster() ? "forcing restart of" : "restarting",
                ClusterIds.hex(localId), ClusterIds.hex(clusterId), raftStorage.hardState().commit());
        } else if (cfg.cluster().isNewCluster()) {
            membership = bootstrapMembership();
            ByteBuffer meta = ByteBuffer.allocate(16).putLong(membership.localId()).putLong(membership.clusterId());
            wal = Wal.create(walDir, walOpts, meta.array());
            raft = new RaftNode(raftConfig(membership.localId(), electionTick), raftStorage);
            List<Long> voters = membership.members().stream().map(Member::id).sorted(Long::compareUnsigned).toList();
            Membership initial = membership;
            // etcd's bootstrap entries name each member as JSON (no client URLs yet: those are published)
            raft.bootstrap(voters, id -> {
                Member m = initial.get(id);
                return MemberJson.encodeBytes(new Member(m.id(), m.name(), m.peerUrls(), List.of(), false));
            });
            log.info("starting member {} in cluster {}", ClusterIds.hex(membership.localId()),
                ClusterIds.hex(membership.clusterId()));
        } else {
            membership = joinExisting();
            ByteBuffer meta = ByteBuffer.allocate(16).putLong(membership.localId()).putLong(membership.clusterId());
            wal = Wal.create(walDir, walOpts, meta.array());
            // An empty log: the leader replicates everything, membership included, from index 1.
            raft = new RaftNode(raftConfig(membership.localId(), electionTick), raftStorage);
            log.info("joining cluster {} as member {}", ClusterIds.hex(membership.clusterId()),
                ClusterIds.hex(membership.localId()));
        }

        Lessor lessor = new Lessor(store, leaseClock, minLeaseTtlSeconds());
        // leases and their keys as of the backend's consistent index; raft's replay brings them up to date
        lessor.recover();
        long requestTimeout = 5000 + 2 * cfg.member().electionTimeoutMs();
        for (var l : removedListeners) membership.onLocalRemoved(l); // before raft or a peer can tell it
        server = new EtcdServer(vertx, store, lessor, membership, (int) cfg.member().maxTxnOps(),
            cfg.member().maxRequestBytes(), requestTimeout, cfg.member().electionTimeoutMs());
        server.auth(authStore(store));
        server.snapshotFormat(new io.vetcd.etcdformat.EtcdSnapshotFormat());
        enableLeaseCheckpoints(lessor, server);
        core = new ServerCore(wal, raft, raftStorage, server, membership.localId(), heartbeat, applied);
        core.warnApplyDuration(cfg.member().experimentalWarningApplyDuration());
        server.attach(core);
        server.quota(cfg.member().quotaBackendBytes());
        server.memberChanges(new MemberChanges(vertx, server, cfg.cluster().strictReconfigCheck()));
        ServerCore raftCore = core;
        outgoingStreams = new OutgoingStreams(membership.localId(), metrics.network,
            id -> raftCore.runOnCore(node -> node.reportUnreachable(id)));
        ListenerTls peerTlsForDials = cfg.security().isPeerTls() ? peerTls() : null;
        peerSender = new PeerSender(vertx, transportContext, membership, core, outgoingStreams, store, memberDir.resolve("snap.tmp"),
            peerTlsForDials == null ? null : peerTlsForDials.clientCertificate());
        core.peers(peerSender);
        core.snapshotEvery(cfg.member().snapshotCount(), cfg.member().snapshotCatchUpEntries(), store::flush, walSnapshotIndex);
        server.memberChanges().forwarder(peerSender::promote);
        server.leases().forwarder(new io.vetcd.server.LeaseRequests.Forwarder() {
            @Override
            public Future<Long> renew(Member leader, long id) { return peerSender.renewLease(leader, id); }

            @Override
            public Future<io.vetcd.pb.etcdserver.LeaseTimeToLiveResponse> timeToLive(
                    Member leader, io.vetcd.pb.etcdserver.LeaseTimeToLiveRequest r) {
                return peerSender.leaseTimeToLive(leader, r);
            }
        });
        core.onLeaderChange(s -> {
            if (s.leader() != 0) leaderElected.tryComplete();
            // only the leader expires leases; promotion happens when the new term's first entry applies
            if (s.role() != Role.LEADER && lessor.isPrimary()) lessor.demote();
        });
        WatchHub hub = new WatchHub(store, WatchOptions.defaults()
            .withProgressNotifyInterval(cfg.member().experimentalWatchProgressNotifyInterval())
            .withMaxRequestBytes(cfg.member().maxRequestBytes()));
        server.attach(hub);
        metrics.mvcc.observeWatchers(hub::watcherCount, () -> Math.max(0, hub.watcherCount() - hub.syncedCount()));
        // a forced restart's removals apply once raft runs: it campaigns at once, as a single member does
        boolean alone = membership.members().size() == 1 || (existing && cfg.member().forceNewCluster());
        raftWaitsForPeerListener = !alone;
        wireMetrics(lessor, membership.localId());
        // raft starts only after the initial corruption check (if any), as etcd's does: a member whose
        // data differs must not take part in elections
        RaftNode raftNode = raft;
        startRaft = () -> {
            ElectionTickAdvance advance = new ElectionTickAdvance(raftNode.term(), // before raft steps anything
                new SplittableRandom(membership.localId() ^ System.nanoTime()));
            core.start();
            versionMonitor = new ClusterVersionMonitor(vertx, server, peerSender::serverVersion);
            versionMonitor.start();
            server.onFirstCommitInTerm(versionMonitor::nudge);
            if (alone) campaignAloneOnceConfApplied(2L * cfg.member().electionTimeoutMs());
            else if (cfg.member().initialElectionTickAdvance()) advanceTicksOncePeersConnect(advance, electionTick);
            else log.info("skipping initial election tick advance (election ticks {})", electionTick); // etcd's words
        };
    }

    /** --force-new-cluster on a restart: see {@link StandaloneRestart}. */
    private void forceStandalone(Membership membership, MemoryStorage raftStorage, ConfState atApplied, long applied) {
        long self = membership.localId();
        Member known = membership.get(self);
        Member me = known != null ? new Member(self, known.name(), known.peerUrls(), List.of(), false)
            : new Member(self, cfg.member().name(), cfg.cluster().initialAdvertisePeerUrls().stream().map(VetcdNode::urlString).toList(),
                List.of(), false);
        StandaloneRestart.Forced f = StandaloneRestart.apply(wal, raftStorage, atApplied, applied, self, MemberJson.encodeBytes(me));
        if (f == null) {
            log.info("--force-new-cluster: member {} is already its cluster's only member; nothing to change", ClusterIds.hex(self));
            return;
        }
        if (f.discarded() > 0) log.info("discarding {} uncommitted WAL entries", f.discarded());
        log.warn("--force-new-cluster: member {} becomes the only member of cluster {}{}; removing {} at indexes up to {}",
            ClusterIds.hex(self), ClusterIds.hex(membership.clusterId()), f.addedSelf() ? " (added as a voter)" : "",
            f.removed().stream().map(ClusterIds::hex).toList(), f.commitIndex());
    }

    /**
     * A single voter needs no election timeout to lead, but raft refuses a campaign while committed conf
     * changes are not applied yet (the bootstrap's, or the replayed ones on a restart), and they apply
     * only after the core's first turns: campaigning once at start was dropped, and the member then
     * waited its randomized election timeout (1-2 s) to lead. So it asks again every few milliseconds
     * until it leads, it hears a leader, or {@code maxMillis} passed (raft's own timer still campaigns).
     */
    private void campaignAloneOnceConfApplied(long maxMillis) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(maxMillis);
        Runnable[] attempt = new Runnable[1];
        attempt[0] = () -> core.runOnCore(node -> {
            if (node.leader() != 0) return;
            node.campaign();
            if (node.leader() == 0 && System.nanoTime() < deadline) vertx.setTimer(5, t -> attempt[0].run());
        });
        attempt[0].run();
    }

    /**
     * A restarted or new member of a multi-member cluster waits up to 5 s for its peers' connections
     * (etcd's adjustTicks), then advances its election ticks ({@link ElectionTickAdvance}).
     */
    private void advanceTicksOncePeersConnect(ElectionTickAdvance advance, int electionTick) {
        long[] polls = {0};
        vertx.setPeriodic(50, id -> {
            long local = server.membership().localId();
            long active = server.membership().members().stream().filter(m -> m.id() != local)
                .filter(m -> (incomingStreams != null && incomingStreams.isUp(m.id(), io.vetcd.transport.StreamType.MESSAGE))
                    || outgoingStreams.isUp(m.id(), io.vetcd.transport.StreamType.MESSAGE)).count();
            if (active > 1) {
                vertx.cancelTimer(id);
                long peers = active;
                core.runOnCore(node -> {
                    // etcd's line for it (adjustTicks)
                    int advanced = advance.apply(node);
                    if (advanced >= 0) {
                        log.info("fast-forwarded {} ticks (election ticks {}) with {} active peer(s)", advanced, electionTick, peers);
                    }
                });
            } else if (++polls[0] >= 100) {
                vertx.cancelTimer(id); // no peers came up: advancing ticks would change nothing
            }
        });
    }

    /** Hands each part its counters and registers the gauges read from it at scrape time. */
    /**
     * --experimental-enable-lease-checkpoint(-persist). The interval is etcd's fixed 5 minutes; the
     * system property vetcd.lease.checkpoint-interval-ms shortens it for tests (etcd's tests set it in code).
     */
    private void enableLeaseCheckpoints(Lessor lessor, EtcdServer server) {
        if (!cfg.member().experimentalEnableLeaseCheckpoint()) return;
        boolean persist = cfg.member().experimentalEnableLeaseCheckpointPersist();
        if (!persist) {
            log.warn("Detected that checkpointing is enabled without persistence. Consider enabling experimental-enable-lease-checkpoint-persist");
        }
        long intervalMs = Long.getLong("vetcd.lease.checkpoint-interval-ms", 0L);
        lessor.enableCheckpoints(r -> server.leases().checkpoint(r).toCompletionStage().toCompletableFuture(),
            java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(intervalMs), persist);
    }

    private void wireMetrics(Lessor lessor, long localId) {
        server.metrics(metrics);
        store.metrics(metrics.mvcc, metrics.backend);
        wal.metrics(metrics.wal);
        lessor.metrics(metrics.lease);
        core.metrics(metrics.server);
        peerSender.metrics(metrics.network);
        MvccStore s = store;
        metrics.mvcc.observeStore(s::currentRevision, s::compactRevision, s::liveKeys, s::dbSize, s::dbSizeInUse, s::openReads);
        metrics.mvcc.observeRocksMemory(s::rocksMemory);
        EtcdServer srv = server;
        ServerCore c = core;
        metrics.server.observeServer(() -> c.leaderId() != 0, c::isLeader,
            () -> { Member m = srv.membership().get(localId); return m != null && m.learner(); },
            c::commitIndex, c::appliedIndex, srv::pendingProposals, srv::quotaBytes);
        metrics.server.observeAuth(() -> srv.auth().revision());
        // etcd labels the cluster version as major.minor (version.Cluster)
        metrics.server.identity(EtcdServer.VERSION, Long.toHexString(localId));
        server.onClusterVersion(v -> metrics.server.clusterVersion(ClusterVersions.majorMinor(v)));
        String known = srv.membership().clusterVersion();
        if (known != null) metrics.server.clusterVersion(ClusterVersions.majorMinor(known));
    }

    private RaftConfig raftConfig(long id, int electionTick) {
        // one tick per --heartbeat-interval; 1 MiB messages and 256 in flight per follower, as etcd
        return new RaftConfig(id, electionTick, 1, 1 << 20, 256, true, cfg.cluster().preVote(), 0,
            new SplittableRandom(id ^ System.nanoTime()));
    }

    /** The local member's client URLs are this start's --advertise-client-urls, as etcd publishes them. */
    private List<Member> withLocalClientUrls(List<Member> members, long localId) {
        List<String> mine = cfg.cluster().advertiseClientUrls().stream().map(VetcdNode::urlString).toList();
        return members.stream().map(m -> m.id() == localId
            ? new Member(m.id(), m.name(), m.peerUrls(), mine, m.learner()) : m).toList();
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

    private Membership bootstrapMembership() throws IOException {
        List<String> clientUrls = cfg.cluster().advertiseClientUrls().stream().map(VetcdNode::urlString).toList();
        String durl = cfg.cluster().discovery();
        if (!durl.isEmpty()) {
            // etcd: the discovery URL is the cluster token, and our id is the one a cluster of just us would give us
            List<String> mine = cfg.cluster().initialAdvertisePeerUrls().stream().map(VetcdNode::urlString).toList();
            long selfId = ClusterIds.memberId(mine, durl, null);
            String selfConfig = mine.stream().map(u -> cfg.member().name() + "=" + u).collect(java.util.stream.Collectors.joining(","));
            Map<String, List<String>> found;
            try {
                found = V2Discovery.join(durl, cfg.cluster().discoveryProxy(), selfId, selfConfig);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("discovery interrupted", e);
            } catch (V2Discovery.DiscoveryException e) {
                if (e.getMessage().equals("discovery: cluster is full") && "proxy".equals(cfg.cluster().discoveryFallback())) {
                    throw new IOException(e.getMessage() + "; --discovery-fallback=proxy needs the v2 proxy, which vetcd has not built", e);
                }
                throw e;
            }
            return Membership.bootstrap(cfg.member().name(), found, durl, clientUrls);
        }
        String v3token = cfg.cluster().discoveryToken();
        if (!v3token.isEmpty()) {
            // etcd 3.6: the discovery token is the cluster token, as the v2 URL was
            List<String> mine = cfg.cluster().initialAdvertisePeerUrls().stream().map(VetcdNode::urlString).toList();
            String selfConfig = mine.stream().map(u -> cfg.member().name() + "=" + u).collect(java.util.stream.Collectors.joining(","));
            var c = cfg.cluster();
            V3Discovery.Settings settings = new V3Discovery.Settings(v3token, c.discoveryEndpoints(), c.discoveryDialTimeout(),
                c.discoveryRequestTimeout(), c.discoveryInsecureTransport(), c.discoveryInsecureSkipTlsVerify(), c.discoveryCert(),
                c.discoveryKey(), c.discoveryCacert(), c.discoveryUser(), c.discoveryPassword());
            try {
                Map<String, List<String>> found = V3Discovery.join(vertx, settings, ClusterIds.memberId(mine, v3token, null), selfConfig);
                return Membership.bootstrap(cfg.member().name(), found, v3token, clientUrls);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("discovery interrupted", e);
            }
        }
        return Membership.bootstrap(cfg.member().name(), initialCluster(), cfg.cluster().initialClusterToken(), clientUrls);
    }

    /** --initial-cluster, or for --discovery-srv the cluster its SRV records describe. */
    private Map<String, List<String>> initialCluster() throws IOException {
        if (!cfg.cluster().discoverySrv().isEmpty()) {
            Map<String, List<String>> found = SrvCluster.resolve(cfg.cluster().discoverySrv(), cfg.cluster().discoverySrvName(),
                cfg.member().name(), cfg.cluster().initialAdvertisePeerUrls(), DnsSrvLookup.system());
            found.forEach((name, urls) -> log.info("got bootstrap from DNS for etcd-server: {}={}", name, String.join(",", urls)));
            return found;
        }
        Map<String, List<String>> initial = new LinkedHashMap<>();
        cfg.cluster().initialCluster().forEach((name, urls) -> initial.put(name, urls.stream().map(VetcdNode::urlString).toList()));
        return initial;
    }

    /** --initial-cluster-state existing: ask the other members who we are in the cluster we join. */
    private Membership joinExisting() throws IOException {
        List<String> mine = cfg.cluster().initialAdvertisePeerUrls().stream().map(VetcdNode::urlString).toList();
        List<String> others = new ArrayList<>();
        initialCluster().forEach((name, urls) -> urls.stream().filter(u -> !mine.contains(u)).forEach(others::add));
        RemoteMembership.Remote remote = RemoteMembership.fetch(others);
        Member self = remote.members().stream().filter(m -> m.peerUrls().stream().anyMatch(mine::contains)).findFirst()
            .orElseThrow(() -> new IllegalStateException("member " + cfg.member().name()
                + " has not been added to the cluster (no member has peer URLs " + mine + "); add it with member add first"));
        List<Member> members = new ArrayList<>();
        for (Member m : remote.members()) {
            members.add(m.id() == self.id() ? new Member(m.id(), cfg.member().name(), m.peerUrls(),
                cfg.cluster().advertiseClientUrls().stream().map(VetcdNode::urlString).toList(), m.learner()) : m);
        }
        return new Membership(self.id(), remote.clusterId(), members);
    }

    /** etcd prints URLs without a trailing slash; URI.toString keeps whatever was given. */
    private static String urlString(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private Future<Void> deploy() {
        ListenerTls clientTls = clientTls();
        ListenerTls peerTls = peerTls();
        List<URI> clientUrls = cfg.member().listenClientUrls();
        List<URI> peerUrls = cfg.member().listenPeerUrls();
        int maxStreams = (int) Math.min(Integer.MAX_VALUE, cfg.member().maxConcurrentStreams());
        long maxRequestBytes = cfg.member().maxRequestBytes();
        corruptionCheck = new io.vetcd.server.CorruptionCheck(vertx, server,
            new PeerHashes(server, peerSender, 5000 + 2 * cfg.member().electionTimeoutMs()));
        Future<Void> checked = restarted && cfg.member().experimentalInitialCorruptCheck()
            ? corruptionCheck.initial(java.time.Duration.ofMillis(5000 + 2 * cfg.member().electionTimeoutMs()))
            : Future.succeededFuture();
        return checked.compose(ok -> {
            if (!raftWaitsForPeerListener) startRaft.run();
            // one-time work the listeners' start would otherwise do on their event loops (which then
            // cannot answer peers or heartbeats): read the TLS files ...
            return vertx.executeBlocking(() -> {
                clientTls.preload();
                peerTls.preload();
                return null;
            }, false);
        }).compose(ok -> {
            // ... and load and initialise the classes of the gRPC services and HTTP routes, on a
            // worker while the peer listeners start
            Future<Void> clientPrepared = vertx.executeBlocking(() -> {
                ClientVerticle.prepare(vertx, server, clientTls, maxRequestBytes, maxStreams, cfg.member().enableGrpcGateway());
                return null;
            }, false);
            return vertx.deployVerticle(() -> new PeerVerticle(server, peerUrls, peerTls,
                    Path.of(cfg.member().dataDir(), "member", "snap.tmp"), outgoingStreams),
                    new DeploymentOptions().setInstances(cfg.vertx().peerInstances()))
                .compose(id -> {
                    deployments.add(id);
                    log.info("serving peer traffic on {}", peerUrls.stream().map(VetcdNode::urlString).toList());
                    if (raftWaitsForPeerListener) startRaft.run();
                    // dial the peers' streams on the sender's context once we can accept theirs, without
                    // waiting for the client side's preparation (seconds of class loading on a busy machine):
                    // raft's messages to and from the peers need only these
                    incomingStreams = new IncomingStreams(vertx, transportContext, server.membership(), core, metrics.network,
                        peerTls == null ? null : peerTls.clientCertificate());
                    incomingStreams.start();
                    return clientPrepared;
                });
        })
            .compose(v -> vertx.deployVerticle(() -> new ClientVerticle(server, clientUrls, clientTls, maxRequestBytes, maxStreams,
                        new io.vetcd.api.HttpAccessControl(cfg.member().cors(), cfg.member().hostWhitelist()),
                        cfg.member().enableGrpcGateway()).keepalive(GrpcKeepalive.Policy.of(cfg.member())),
                    new DeploymentOptions().setInstances(cfg.vertx().clientInstances())))
            .compose(id -> {
                deployments.add(id);
                List<URI> metricsUrls = cfg.member().listenMetricsUrls();
                if (metricsUrls == null || metricsUrls.isEmpty()) return Future.succeededFuture(id);
                return vertx.deployVerticle(() -> new MetricsVerticle(server, metricsUrls, clientTls),
                    new DeploymentOptions().setInstances(1));
            })
            .compose(id -> {
                if (!deployments.contains(id)) deployments.add(id);
                leaseExpiry = new LeaseExpiryLoop(vertx, server);
                leaseExpiry.start();
                autoCompactor = autoCompactor(cfg, server);
                if (autoCompactor != null) autoCompactor.start();
                corruptionCheck.startPeriodic(cfg.member().experimentalCorruptCheckTime());
                // like etcd, announce name and client URLs through raft once there is a leader
                return leaderElected.future();
            })
            .compose(v -> server.memberChanges().publish(cfg.member().name(),
                cfg.cluster().advertiseClientUrls().stream().map(VetcdNode::urlString).toList()))
            .compose(v -> clusterVersionDecided(2000))
            .map(v -> {
                announce(clientUrls);
                return null;
            });
    }

    /**
     * Waits (at most {@code maxMillis}) until the cluster version is agreed, which the leader does on its
     * first commit, so /version and the capabilities line are settled when "ready" is printed.
     */
    private Future<Void> clusterVersionDecided(long maxMillis) {
        if (server.membership().clusterVersion() != null) return Future.succeededFuture();
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        long deadline = System.currentTimeMillis() + maxMillis;
        vertx.setPeriodic(20, id -> {
            if (server.membership().clusterVersion() != null || System.currentTimeMillis() > deadline) {
                vertx.cancelTimer(id);
                done.tryComplete();
            }
        });
        return done.future();
    }

    /** The lines operators (and etcd's e2e harness) wait for, printed once clients can be served. */
    private void announce(List<URI> clientUrls) {
        Member local = server.membership().local();
        log.info("published local member to cluster through raft: {Name:{} ClientURLs:{}} cluster-id {}",
            local.name(), local.clientUrls(), ClusterIds.hex(server.clusterId()));
        String cv = server.membership().clusterVersion();
        log.info("enabled capabilities for version {}", ClusterVersions.majorMinor(cv == null ? ClusterVersions.MIN_CLUSTER_VERSION : cv));
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
        SelfSignedCertificate auto = s.autoTls() && s.certFile().isEmpty()
            ? SelfSignedCertificate.forClient(cfg.member().dataDir(), cfg.member().listenClientUrls(), s.selfSignedCertValidity())
            : null;
        ListenerTls t = listenerTls(s.certFile(), s.keyFile(), auto, s.trustedCaFile(), s.clientCertAuth(), s.clientCrlFile());
        // --client-cert-allowed-hostname: the handshake refuses a client certificate not valid for it (etcd's ClientTLSInfo.AllowedHostname)
        return new ListenerTls(t.certFile(), t.keyFile(), t.trustedCaFile(), t.clientCertAuth(), t.crlFile(), t.cipherSuites(),
            "", s.clientCertAllowedHostname());
    }

    private ListenerTls peerTls() {
        var s = cfg.security();
        SelfSignedCertificate auto = s.peerAutoTls() && s.peerCertFile().isEmpty()
            ? SelfSignedCertificate.forPeer(cfg.member().dataDir(), cfg.member().listenPeerUrls(), s.selfSignedCertValidity())
            : null;
        ListenerTls t = listenerTls(s.peerCertFile(), s.peerKeyFile(), auto, s.peerTrustedCaFile(), s.peerClientCertAuth(), s.peerCrlFile());
        return new ListenerTls(t.certFile(), t.keyFile(), t.trustedCaFile(), t.clientCertAuth(), t.crlFile(), t.cipherSuites(),
            s.peerCertAllowedCn(), s.peerCertAllowedHostname());
    }

    /** The auth store with --bcrypt-cost and --auth-token (simple with --auth-token-ttl, or jwt). */
    private io.vetcd.auth.AuthStore authStore(io.vetcd.mvcc.MvccStore store) {
        var s = cfg.security();
        io.vetcd.auth.TokenProvider tokens;
        if ("jwt".equals(s.authTokenType())) {
            tokens = io.vetcd.auth.JwtTokens.fromOptions(s.authTokenOptions(), System::currentTimeMillis);
        } else {
            log.warn("simple token is not cryptographically signed");
            tokens = new io.vetcd.auth.SimpleTokens(s.authTokenTtlSeconds(), System::nanoTime);
        }
        return new io.vetcd.auth.AuthStore(store, new io.vetcd.auth.PasswordHasher((int) s.bcryptCost()), tokens);
    }

    /** Given certificate files, or the self-signed pair --auto-tls / --peer-auto-tls made when none are given. */
    private ListenerTls listenerTls(String cert, String key, SelfSignedCertificate auto, String ca, boolean clientCertAuth, String crl) {
        if (auto != null) {
            cert = auto.certFile().toString();
            key = auto.keyFile().toString();
        }
        return new ListenerTls(cert, key, ca, clientCertAuth, crl, cfg.security().cipherSuitesJsse());
    }

    /** --auto-compaction-mode/-retention as etcd reads them; a retention of 0 turns it off. */
    private io.vetcd.server.AutoCompactor autoCompactor(EtcdConfig cfg, EtcdServer server) {
        String mode = cfg.cluster().autoCompactionMode();
        if ("revision".equals(mode)) {
            long n = cfg.cluster().autoCompactionRetentionRevisions();
            return n == 0 ? null : io.vetcd.server.AutoCompactor.forServer(vertx, server, mode, java.time.Duration.ZERO, n);
        }
        java.time.Duration p = cfg.cluster().autoCompactionRetentionPeriod();
        return p.isZero() ? null : io.vetcd.server.AutoCompactor.forServer(vertx, server, mode, p, 0);
    }

    /**
     * Called once if a WAL or backend failure (a full disk, a failed fsync) stops the member; it no
     * longer serves. {@link Launcher} exits the process then, as etcd does on such errors.
     */
    public void onFatal(java.util.function.Consumer<Throwable> listener) {
        core.onFatal(listener);
        // a failure during start, before this call, is reported at once (one racing with it may come twice)
        Throwable already = core.failure();
        if (already != null) listener.accept(already);
    }

    /**
     * Called once when this member learns it was removed from the cluster (it applied its own removal,
     * or a peer refused it as removed: 410 on a stream dial, 403 on a post). {@link Launcher} then
     * stops the member and exits 0, as etcd does; the argument says how it learnt.
     */
    public void onRemoved(java.util.function.Consumer<String> listener) {
        if (server != null) server.membership().onLocalRemoved(listener);
        else removedListeners.add(listener); // registered with the membership once it is read
    }

    private final List<java.util.function.Consumer<String>> removedListeners = new ArrayList<>();

    public Future<Void> stop() {
        if (leaseExpiry != null) leaseExpiry.stop();
        if (autoCompactor != null) autoCompactor.stop();
        if (versionMonitor != null) versionMonitor.stop();
        if (corruptionCheck != null) corruptionCheck.stop();
        if (incomingStreams != null) incomingStreams.close();
        if (outgoingStreams != null) outgoingStreams.close();
        List<Future<Void>> undeploys = new ArrayList<>();
        for (String id : deployments) undeploys.add(vertx.undeploy(id));
        return Future.join(undeploys).<Void>mapEmpty().eventually(() -> vertx.executeBlocking(() -> {
            if (core != null) core.stop();
            if (peerSender != null) peerSender.close();
            if (wal != null) wal.close();
            if (store != null) store.close();
            return null;
        }, false)).mapEmpty();
    }
}
