package io.vetcd.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vetcd.auth.AuthException;
import io.vetcd.auth.AuthInfo;
import io.vetcd.auth.AuthStore;
import io.vetcd.auth.PasswordHasher;
import io.vetcd.auth.SimpleTokens;
import io.vetcd.lease.Lease;
import io.vetcd.lease.Lessor;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.etcdserver.AlarmRequest;
import io.vetcd.pb.etcdserver.AlarmResponse;
import io.vetcd.pb.etcdserver.AlarmType;
import io.vetcd.pb.etcdserver.CompactionRequest;
import io.vetcd.pb.etcdserver.CompactionResponse;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.DeleteRangeResponse;
import io.vetcd.pb.etcdserver.HashKVResponse;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.PutResponse;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.StatusResponse;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.pb.internal.InternalRaftRequest;
import io.vetcd.raft.ConfChange;
import io.vetcd.raft.ConfChangeType;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;
import io.vetcd.server.watch.WatchHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the API layer talks to: validates requests, proposes writes to the
 * core and completes when they are applied, serves reads from the MVCC store
 * on worker threads, and stamps etcd's response header on everything.
 * Methods are called on event loops and never block them.
 */
public final class EtcdServer implements ServerCore.StateMachine {
    private static final Logger log = LoggerFactory.getLogger(EtcdServer.class);
    public static final String VERSION = "3.4.23";
    public static final String CLUSTER_VERSION = "3.4.0";

    private final Vertx vertx;
    private final MvccStore store;
    private final KvApplier kv;
    private final ReadOnlyTxn readOnlyTxn;
    private final Lessor lessor;
    private final LeaseRequests leases;
    private final LeaseApplier leaseApplier;
    /** Also what leases get on top of their TTL when this member becomes leader (etcd: an election timeout). */
    private final long electionTimeoutMs;
    /** Term in which the lessor was last promoted; core thread only. */
    private long promotedTerm = -1;
    private final IdGenerator ids;
    private volatile SnapshotFormat snapshotFormat;
    private volatile java.util.function.Consumer<String> clusterVersionListener = v -> { };
    private volatile Runnable firstCommitInTerm = () -> { };
    private final RequestValidator validator;
    private final Membership membership;
    private final long requestTimeoutMs;
    private volatile ServerCore core;
    private volatile WatchHub watchHub;
    private final AlarmStore alarms = new AlarmStore();
    private final AlarmApplier alarmApplier;
    private volatile AuthStore auth;
    private volatile AuthApplier authApplier;
    private volatile BackendQuota quota;
    private volatile io.vetcd.metrics.ServerMetrics metrics = io.vetcd.metrics.ServerMetrics.DETACHED;
    private final Proposer proposer;

    public EtcdServer(Vertx vertx, MvccStore store, Lessor lessor, Membership membership, int maxTxnOps,
                      long maxRequestBytes, long requestTimeoutMs, long electionTimeoutMs) {
        this.vertx = vertx;
        this.store = store;
        this.kv = new KvApplier(store);
        kv.headers(this::header);
        this.readOnlyTxn = new ReadOnlyTxn(store, this::header);
        this.lessor = lessor;
        this.electionTimeoutMs = electionTimeoutMs;
        this.ids = new IdGenerator(membership.localId(), System.currentTimeMillis());
        kv.leases(new LeaseLookup() {
            @Override public boolean exists(long id) { return lessor.exists(id); }
            @Override public void attach(long id, ByteString key) { lessor.attach(id, key); }
            @Override public void detach(long id, ByteString key) { lessor.detach(id, key); }
        });
        this.validator = new RequestValidator(maxTxnOps);
        this.membership = membership;
        this.requestTimeoutMs = requestTimeoutMs;
        this.proposer = new Proposer(vertx, () -> core, ids, maxRequestBytes, requestTimeoutMs);
        this.leases = new LeaseRequests(vertx, this, lessor, ids);
        this.leaseApplier = new LeaseApplier(lessor, store);
        this.alarmApplier = new AlarmApplier(store, alarms);
        // ids only need to be unique among this member's in-flight proposals, also across restarts
        this.quota = new BackendQuota(store, 0);
        alarms.load(store);
        auth(new AuthStore(store, new PasswordHasher(PasswordHasher.DEFAULT_COST), new SimpleTokens(300, System::nanoTime)));
    }

    /** The auth store (users, roles, tokens); set before the core replays the log. */
    public void auth(AuthStore a) {
        this.auth = a;
        this.authApplier = new AuthApplier(a, lessor, store);
    }

    public AuthStore auth() { return auth; }

    /** An internal request acts as root, as etcd's own lease revokes do (WithRoot). */
    public AuthInfo rootInfo() {
        return new AuthInfo("root", auth.revision());
    }

    /**
     * Who a request is (etcd's AuthInfoFromCtx): the user of its token, else the common name of its
     * verified client certificate ({@code --client-cert-auth}), else nobody. A token this member
     * does not know may come from an Authenticate entry it has not applied yet: wait for it.
     */
    public Future<AuthInfo> authInfo(String token, String certCommonName) {
        if (token != null && !token.isEmpty()) {
            AuthInfo ai = auth.infoFromToken(token);
            if (ai != null) return Future.succeededFuture(ai);
            long created = auth.tokens().createdAt(token);
            ServerCore c = core;
            if (created > 0 && c != null && created > c.appliedIndex()) {
                return waitApplied(created).compose(v -> {
                    AuthInfo later = auth.infoFromToken(token);
                    return later != null ? Future.succeededFuture(later) : Future.failedFuture(EtcdError.INVALID_AUTH_TOKEN.exception());
                });
            }
            return Future.failedFuture(EtcdError.INVALID_AUTH_TOKEN.exception());
        }
        if (certCommonName != null && !certCommonName.isEmpty()) return Future.succeededFuture(auth.infoFromCommonName(certCommonName));
        return Future.succeededFuture(AuthInfo.NONE);
    }

    /** Completes once this member has applied {@code index}, or fails after the request timeout. */
    private Future<Void> waitApplied(long index) {
        Promise<Void> p = Promise.promise();
        long deadline = System.nanoTime() + requestTimeoutMs * 1_000_000L;
        vertx.setPeriodic(5, id -> {
            if (core.appliedIndex() >= index) {
                vertx.cancelTimer(id);
                p.tryComplete();
            } else if (System.nanoTime() > deadline) {
                vertx.cancelTimer(id);
                p.tryFail(EtcdError.INVALID_AUTH_TOKEN.exception());
            }
        });
        return p.future();
    }

    /** Runs a check made before serving a request (validation or auth), turning its refusal into etcd's error. */
    public static Future<Void> allowed(Runnable check) {
        try {
            check.run();
            return Future.succeededFuture();
        } catch (EtcdException e) {
            return Future.failedFuture(e);
        } catch (AuthException e) {
            return Future.failedFuture(EtcdError.of(e));
        }
    }

    private volatile io.vetcd.metrics.MemberMetrics memberMetrics;

    /** This member's metrics; proposal and read-index failures are counted in its server part. */
    public void metrics(io.vetcd.metrics.MemberMetrics m) {
        this.memberMetrics = m;
        this.metrics = m.server;
        proposer.metrics = m.server;
    }

    /** This member's metrics (a private set, if the member was built without one, as some tests do). */
    public io.vetcd.metrics.MemberMetrics metrics() {
        io.vetcd.metrics.MemberMetrics m = memberMetrics;
        if (m == null) {
            synchronized (this) {
                if (memberMetrics == null) metrics(new io.vetcd.metrics.MemberMetrics(false));
                m = memberMetrics;
            }
        }
        return m;
    }

    public long pendingProposals() { return proposer.pending(); }

    /** The space quota in bytes (0 when turned off), as etcd's quota_backend_bytes gauge shows it. */
    public long quotaBytes() { return Math.max(0, quota.limit()); }

    /** etcd's --quota-backend-bytes (0: 2 GiB, negative: off). */
    public void quota(long quotaBackendBytes) {
        this.quota = new BackendQuota(store, quotaBackendBytes);
        if (quota.limit() > BackendQuota.MAX_BYTES) {
            log.warn("quota {} exceeds the maximum value {}", quota.limit(), BackendQuota.MAX_BYTES);
        }
    }

    public AlarmStore alarms() { return alarms; }

    private volatile MemberChanges memberChanges;

    public void attach(ServerCore core) { this.core = core; }

    public void memberChanges(MemberChanges changes) { this.memberChanges = changes; }

    public MemberChanges memberChanges() { return memberChanges; }

    /** The watch dispatcher; attached before the core replays, so it sees every applied revision. */
    public void attach(WatchHub hub) { this.watchHub = hub; }

    public MvccStore store() { return store; }
    public long electionTimeoutMs() { return electionTimeoutMs; }
    public Membership membership() { return membership; }
    public long memberId() { return membership.localId(); }
    public long clusterId() { return membership.clusterId(); }
    public ServerCore core() { return core; }
    public WatchHub watchHub() { return watchHub; }

    public Lessor lessor() { return lessor; }

    /** Lease grants, revokes, keep-alives and TimeToLive (forwarded to the leader where etcd does). */
    public LeaseRequests leases() { return leases; }

    AuthApplier authApplier() { return authApplier; }

    // ---- KV ----

    public Future<RangeResponse> range(AuthInfo ai, RangeRequest r) {
        return readable(ai, r)
            .compose(v -> {
                RangeResponse counted = kv.countFromMemory(r); // a count kept in memory: no hop to a worker
                return counted != null ? Future.succeededFuture(counted) : vertx.executeBlocking(() -> stamp(readRange(r)), false);
            })
            .compose(resp -> notStale(ai).map(resp));
    }

    /**
     * {@link #range} for answers written in chunks: the same checks, but the answer stays in a
     * pinned view of the store, which the caller must close.
     */
    public Future<io.vetcd.mvcc.RangeView> openRange(AuthInfo ai, RangeRequest r) {
        return readable(ai, r)
            .compose(v -> vertx.executeBlocking(() -> {
                try {
                    io.vetcd.mvcc.RangeView view = store.openRangeView(r);
                    store.metrics().rangeRead();
                    return view;
                } catch (RuntimeException e) {
                    throw MvccErrors.translate(e);
                }
            }, false))
            .compose(view -> notStale(ai).map(view).onFailure(x -> view.close()));
    }

    /**
     * What every range is checked against before it is read, whatever the answer's shape: a valid
     * request; for linearizable reads, everything committed before it started applied here
     * (ReadIndex; serializable reads are served from local state); the caller's read permission.
     */
    private Future<Void> readable(AuthInfo ai, RangeRequest r) {
        return allowed(() -> validator.checkRange(r))
            .compose(v -> r.getSerializable() ? Future.<Void>succeededFuture() : readBarrier())
            .compose(v -> allowed(() -> auth.checkRange(ai, r.getKey().toByteArray(), r.getRangeEnd().toByteArray())));
    }

    /** etcd's doSerialize: a read answered after the auth store moved on is refused (its permissions may be gone). */
    private Future<Void> notStale(AuthInfo ai) {
        if (ai.revision() != 0 && ai.revision() != auth.revision()) return Future.failedFuture(EtcdError.AUTH_OLD_REVISION.exception());
        return Future.succeededFuture();
    }

    public Future<PutResponse> put(AuthInfo ai, PutRequest r) {
        return allowed(() -> validator.checkPut(r))
            .compose(v -> withinQuota(BackendQuota.cost(r)))
            .compose(v -> propose(ai, InternalRaftRequest.newBuilder().setPut(r)));
    }

    public Future<DeleteRangeResponse> deleteRange(AuthInfo ai, DeleteRangeRequest r) {
        return allowed(() -> validator.checkDelete(r))
            .compose(v -> propose(ai, InternalRaftRequest.newBuilder().setDeleteRange(r)));
    }

    public Future<TxnResponse> txn(AuthInfo ai, TxnRequest r) {
        if (ReadOnlyTxn.servedAsRead(r)) {
            // etcd answers a txn of ranges only as a read: no raft entry, and local state when serializable
            return allowed(() -> validator.checkTxn(r))
                .compose(v -> ReadOnlyTxn.serializable(r) ? Future.<Void>succeededFuture() : readBarrier())
                .compose(v -> allowed(() -> ReadOnlyTxn.checkReadable(auth, ai, r)))
                .compose(v -> vertx.executeBlocking(() -> readOnlyTxn.run(r), false))
                .compose(resp -> notStale(ai).map(resp));
        }
        return allowed(() -> validator.checkTxn(r))
            .compose(v -> withinQuota(BackendQuota.cost(r)))
            .compose(v -> propose(ai, InternalRaftRequest.newBuilder().setTxn(r)));
    }

    /** Compaction drops history for everyone: an admin's call when auth is on (etcd 3.4.45). */
    public Future<CompactionResponse> compact(AuthInfo ai, CompactionRequest r) {
        Future<Void> ok = allowed(() -> auth.checkAdmin(ai));
        if (ok.failed()) return Future.failedFuture(ok.cause());
        Future<CompactionResponse> f = propose(ai, InternalRaftRequest.newBuilder().setCompaction(r));
        if (!r.getPhysical()) return f;
        // physical: answer once the superseded revisions are really gone
        return f.compose(resp -> Future.fromCompletionStage(store.compactionWait(), vertx.getOrCreateContext()).map(resp));
    }

    // ---- the Auth service: everything goes through raft (so reads are linearizable), checked at apply ----

    /** Any Auth request but Authenticate; the caller is checked when the entry is applied. */
    public <T extends Message> Future<T> authRequest(AuthInfo ai, InternalRaftRequest.Builder req) {
        return propose(ai, req);
    }

    /**
     * etcd's Authenticate: the password is checked here (bcrypt, on a worker), then an entry without
     * it makes the token on every member. If the auth store changed in between, check again.
     */
    public Future<io.vetcd.pb.etcdserver.AuthenticateResponse> authenticate(io.vetcd.pb.etcdserver.AuthenticateRequest r) {
        return readBarrier().compose(v -> authenticateOnce(r, 5));
    }

    private volatile io.vertx.core.WorkerExecutor bcryptPool;

    /**
     * bcrypt gets threads of its own: a storm of logins (wrong passwords cost as much as right ones)
     * then competes for CPU like any other work, but never queues reads behind it in the shared pool.
     */
    private io.vertx.core.WorkerExecutor bcryptPool() {
        io.vertx.core.WorkerExecutor p = bcryptPool;
        if (p == null) {
            synchronized (this) {
                if (bcryptPool == null) {
                    bcryptPool = vertx.createSharedWorkerExecutor("vetcd-bcrypt", Runtime.getRuntime().availableProcessors());
                }
                p = bcryptPool;
            }
        }
        return p;
    }

    private Future<io.vetcd.pb.etcdserver.AuthenticateResponse> authenticateOnce(
            io.vetcd.pb.etcdserver.AuthenticateRequest r, int attemptsLeft) {
        return bcryptPool().executeBlocking(() -> {
            try {
                return auth.checkPassword(r.getName(), r.getPassword());
            } catch (AuthException e) {
                if (e.error() != io.vetcd.auth.AuthError.AUTH_NOT_ENABLED) {
                    log.warn("invalid authentication was requested for user {}: {}", r.getName(), e.error());
                    metrics.authFailures.inc();
                }
                throw EtcdError.of(e);
            }
        }, false).compose(checked -> {
            var req = InternalRaftRequest.newBuilder().setAuthenticate(io.vetcd.pb.internal.InternalAuthenticateRequest.newBuilder()
                .setName(r.getName()).setSimpleToken(auth.tokens().newPrefix()));
            return this.<io.vetcd.pb.etcdserver.AuthenticateResponse>propose(AuthInfo.NONE, req).compose(resp -> {
                if (checked == auth.revision() || attemptsLeft <= 1) return Future.succeededFuture(resp);
                log.info("revision when password checked became stale; retrying");
                return authenticateOnce(r, attemptsLeft - 1);
            });
        });
    }

    // ---- alarms and the space quota ----

    /**
     * etcd's quota check before proposing: a write that would not fit is refused with
     * "database space exceeded", and the NOSPACE alarm is raised for this member.
     */
    Future<Void> withinQuota(long cost) {
        if (quota.available(cost)) return Future.succeededFuture();
        raiseNoSpace();
        return Future.failedFuture(EtcdError.NO_SPACE.exception());
    }

    /** Proposes this member's NOSPACE alarm unless it is already raised; nobody waits for it. */
    private void raiseNoSpace() {
        for (var a : alarms.get(AlarmType.NOSPACE)) if (a.getMemberID() == membership.localId()) return;
        log.warn("message exceeded backend quota ({} bytes); raising alarm", quota.limit());
        proposeRaw(rootInfo(), InternalRaftRequest.newBuilder().setAlarm(AlarmRequest.newBuilder()
            .setAction(AlarmRequest.AlarmAction.ACTIVATE).setMemberID(membership.localId()).setAlarm(AlarmType.NOSPACE)))
            .onFailure(e -> log.warn("could not raise the NOSPACE alarm: {}", e.getMessage()));
    }

    /**
     * Maintenance.Alarm: GET lists the raised alarms (of one type, or all for NONE) as of a
     * linearizable read; ACTIVATE and DEACTIVATE go through raft, as in etcd.
     */
    public Future<AlarmResponse> alarm(AuthInfo ai, AlarmRequest r) {
        // etcd 3.4.45: listing needs a user, raising or clearing needs an admin
        Future<Void> ok = allowed(() -> {
            if (r.getAction() == AlarmRequest.AlarmAction.GET) auth.checkAuthenticated(ai);
            else auth.checkAdmin(ai);
        });
        if (ok.failed()) return Future.failedFuture(ok.cause());
        return switch (r.getAction()) {
            case GET -> readBarrier().map(v -> AlarmResponse.newBuilder().setHeader(header())
                .addAllAlarms(alarms.get(r.getAlarm())).build());
            case ACTIVATE, DEACTIVATE -> propose(ai, InternalRaftRequest.newBuilder().setAlarm(r));
            default -> Future.failedFuture(EtcdError.NOT_CAPABLE.exception());
        };
    }

    /** etcd's capped applier: with NOSPACE raised, writes that add data are refused. */
    private static boolean addsData(InternalRaftRequest req) {
        return req.hasPut() || req.hasLeaseGrant() || (req.hasTxn() && BackendQuota.cost(req.getTxn()) > 0);
    }

    private static long cost(InternalRaftRequest req) {
        if (req.hasPut()) return BackendQuota.cost(req.getPut());
        if (req.hasTxn()) return BackendQuota.cost(req.getTxn());
        if (req.hasLeaseGrant()) return BackendQuota.leaseCost();
        return 0;
    }

    // ---- maintenance ----

    public Future<StatusResponse> status() {
        return vertx.executeBlocking(() -> StatusResponse.newBuilder()
            .setHeader(header(store.currentRevision()))
            .setVersion(VERSION)
            .setDbSize(store.dbSize())
            .setDbSizeInUse(store.dbSizeInUse())
            .setLeader(core.leaderId())
            .setRaftIndex(core.commitIndex())
            .setRaftTerm(core.term())
            .setRaftAppliedIndex(core.appliedIndex())
            .setIsLearner(isLearner())
            .addAllErrors(statusErrors())
            .build(), false);
    }

    /** Whether this member is a learner of its cluster (etcd: IsMemberExist(ID) && IsLearner). */
    public boolean isLearner() {
        Member self = membership.get(membership.localId());
        return self != null && self.learner();
    }

    /** etcd's Status errors: no leader, then every raised alarm. */
    private List<String> statusErrors() {
        List<String> errors = new java.util.ArrayList<>();
        if (core.leaderId() == 0) errors.add(EtcdError.NO_LEADER.message);
        for (var a : alarms.get(AlarmType.NONE)) errors.add(AlarmStore.describe(a));
        return errors;
    }

    public Future<HashKVResponse> hashKV(long revision) {
        return vertx.executeBlocking(() -> {
            try {
                var h = store.hashKV(revision);
                return HashKVResponse.newBuilder().setHeader(header(h.revision()))
                    .setHash((int) h.hash())
                    // etcd's compactMainRev is -1 until the first compaction
                    .setCompactRevision(h.compactRevision() == 0 ? -1 : h.compactRevision()).build();
            } catch (RuntimeException e) {
                throw MvccErrors.translate(e);
            }
        }, false);
    }

    /** Maintenance.MoveLeader: only the leader may hand leadership to a voting member. */
    public Future<Void> moveLeader(long target) {
        if (!core.isLeader()) return Future.failedFuture(EtcdError.NOT_LEADER.exception());
        Member m = membership.get(target);
        if (m == null || m.learner()) return Future.failedFuture(EtcdError.BAD_LEADER_TRANSFEREE.exception());
        if (target == membership.localId()) return Future.succeededFuture();
        core.runOnCore(node -> node.transferLeader(target));
        long deadline = System.nanoTime() + requestTimeoutMs * 1_000_000L;
        Promise<Void> done = Promise.promise();
        vertx.setPeriodic(50, id -> {
            if (core.leaderId() == target) {
                vertx.cancelTimer(id);
                done.tryComplete();
            } else if (System.nanoTime() > deadline) {
                vertx.cancelTimer(id);
                done.tryFail(EtcdError.TIMEOUT_LEADER_TRANSFER.exception());
            }
        });
        return done.future();
    }

    public Future<Void> defragment() {
        return vertx.executeBlocking(() -> {
            store.defragment();
            return null;
        }, false);
    }

    public ResponseHeader header(long revision) {
        ServerCore c = core;
        return ResponseHeader.newBuilder()
            .setClusterId(membership.clusterId())
            .setMemberId(membership.localId())
            .setRevision(revision)
            .setRaftTerm(c == null ? 0 : c.term())
            .build();
    }

    public ResponseHeader header() {
        return header(store.currentRevision());
    }

    // ---- applying committed entries (apply thread; membership changes and restores on the core thread) ----

    /** Decodes and applies one committed entry; returns what its proposer gets. */
    @Override
    public ServerCore.Applied apply(Entry entry) {
        EntryPayload payload;
        try {
            payload = EntryPayload.decode(entry.data());
        } catch (InvalidProtocolBufferException e) {
            log.warn("skipping undecodable entry at index {}", entry.index());
            store.beginWrite().commit(entry.index());
            return ServerCore.Applied.NONE;
        }
        if (payload instanceof EntryPayload.V3 v3) return new ServerCore.Applied(v3.requestId(), applyRequest(v3.request(), entry.index()));
        if (payload instanceof EntryPayload.V2 v2) return new ServerCore.Applied(v2.request().getID(), applyV2(v2.request(), entry.index()));
        store.beginWrite().commit(entry.index());
        return ServerCore.Applied.NONE;
    }

    /**
     * The v2 requests etcd 3.4 proposes: a member's published attributes and the cluster version.
     * Any other v2 request needs etcd's v2 store, which vetcd does not keep (the v2 API is off by
     * default in 3.4): it is applied as a no-op and its proposer is told so.
     */
    private Object applyV2(io.vetcd.pb.etcdwal.Request r, long index) {
        V2Requests.Attributes a = V2Requests.attributes(r);
        String version = a == null ? V2Requests.clusterVersion(r) : null;
        if (a != null) {
            Member known = membership.get(a.memberId());
            if (known != null) {
                membership.update(new Member(known.id(), a.name(), known.peerUrls(), a.clientUrls(), known.learner()));
            }
        } else if (version != null) {
            String previous = membership.clusterVersion();
            membership.clusterVersion(version);
            if (!version.equals(previous)) {
                log.info("{} cluster version to {}", previous == null ? "set initial" : "updated", ClusterVersions.majorMinor(version));
                clusterVersionListener.accept(version);
            }
        } else {
            log.warn("ignoring v2 {} {} at index {}: vetcd keeps no v2 store", r.getMethod(), r.getPath(), index);
            store.beginWrite().commit(index);
            return EtcdError.NOT_CAPABLE.exception();
        }
        var txn = store.beginWrite();
        MembershipRecord.write(txn, membership, core.confState());
        txn.commit(index);
        return Boolean.TRUE;
    }

    private Object applyRequest(InternalRaftRequest req, long index) {
        // puts, deletes and txns of a batch go to the backend in one write (KvApplier's grouped
        // txns); anything else reads the store directly, so it sees the group written first
        if (!(req.hasPut() || req.hasDeleteRange() || req.hasTxn())) store.writePending();
        AuthInfo ai = new AuthInfo(req.getHeader().getUsername(), req.getHeader().getAuthRevision());
        if (AuthApplier.isAuthRequest(req)) return authApplier.apply(req, ai, index);
        EtcdException refused = authApplier.refuse(req, ai);
        if (refused != null) {
            store.beginWrite().commit(index);
            return refused;
        }
        if (req.hasAlarm()) return alarmApplier.apply(req.getAlarm(), index);
        // etcd's corrupt applier: once a member is found to diverge, nothing more is applied
        if (alarms.isRaised(AlarmType.CORRUPT) && (req.hasPut() || req.hasDeleteRange() || req.hasTxn() || req.hasCompaction()
                || req.hasLeaseGrant() || req.hasLeaseRevoke() || req.hasRange())) {
            store.beginWrite().commit(index);
            return EtcdError.CORRUPT.exception();
        }
        if (alarms.isRaised(AlarmType.NOSPACE) && addsData(req)) {
            store.beginWrite().commit(index);
            return EtcdError.NO_SPACE.exception();
        }
        // etcd's quota applier: the write is applied, but its proposer learns the backend is full
        boolean fits = quota.available(cost(req));
        Object result = applyWithinQuota(req, index);
        if (!fits && !(result instanceof Throwable)) {
            if (ids.isMine(req.getHeader().getID())) vertx.runOnContext(v -> raiseNoSpace());
            return EtcdError.NO_SPACE.exception();
        }
        return result;
    }

    private Object applyWithinQuota(InternalRaftRequest req, long index) {
        try {
            if (req.hasPut()) return kv.put(req.getPut(), index);
            if (req.hasDeleteRange()) return kv.deleteRange(req.getDeleteRange(), index);
            if (req.hasTxn()) return kv.txn(req.getTxn(), index);
            if (req.hasCompaction()) return applyCompaction(req.getCompaction(), index);
            if (req.hasLeaseGrant()) return leaseApplier.grant(req.getLeaseGrant(), index);
            if (req.hasLeaseRevoke()) return leaseApplier.revoke(req.getLeaseRevoke(), index);
            if (req.hasLeaseCheckpoint()) return leaseApplier.checkpoint(req.getLeaseCheckpoint(), index);
            store.beginWrite().commit(index);
            return EtcdError.NOT_CAPABLE.exception();
        } catch (EtcdException e) {
            return e;
        } catch (RuntimeException e) {
            EtcdException mapped = MvccErrors.translateOrNull(e);
            if (mapped == null) throw e;
            store.beginWrite().commit(index);
            return mapped;
        }
    }

    /**
     * Raft's empty entry opens a leader's term; once it applies, everything from earlier terms has been
     * applied too, so a new leader takes over lease expiry from here (etcd's applyEntryNormal).
     */
    @Override
    public void endBatch() {
        store.writePending();
    }

    @Override
    public void applyEmpty(Entry entry) {
        ServerCore c = core;
        // once per term: a conf change raft neutralised is empty too, and must not extend every lease again
        // applied behind the core: only if this member still leads the entry's term
        if (c != null && c.isLeader() && entry.term() == c.term() && entry.term() != promotedTerm) {
            promotedTerm = entry.term();
            lessor.promote(TimeUnit.MILLISECONDS.toNanos(electionTimeoutMs));
            firstCommitInTerm.run();
        }
    }

    @Override
    public ServerCore.Applied applyConfChange(Entry entry, ConfChange cc, ConfState cs) {
        Member described = ConfChangeContexts.member(cc);
        switch (cc.type()) {
            case ADD_NODE, ADD_LEARNER_NODE -> {
                boolean learner = cc.type() == ConfChangeType.ADD_LEARNER_NODE;
                Member known = membership.get(cc.nodeId());
                if (known != null) {
                    // a bootstrap entry or a promotion: keep what is known, set the role
                    membership.update(new Member(known.id(), known.name(), known.peerUrls(), known.clientUrls(), learner));
                } else if (described != null) {
                    membership.update(new Member(cc.nodeId(), described.name(), described.peerUrls(), described.clientUrls(), learner));
                }
            }
            case REMOVE_NODE -> {
                membership.remove(cc.nodeId());
                if (cc.nodeId() == membership.localId()) {
                    // etcd stops a second later (stopWithDelay), so the leader hears this member's last answers
                    vertx.setTimer(1000, t -> membership.localRemoved("applied its own removal at index " + entry.index()));
                }
            }
            case UPDATE_NODE -> {
                Member known = membership.get(cc.nodeId());
                if (known != null && described != null) {
                    membership.update(new Member(known.id(), known.name(), described.peerUrls(), known.clientUrls(), known.learner()));
                }
            }
        }
        var txn = store.beginWrite();
        MembershipRecord.write(txn, membership, cs);
        txn.commit(entry.index());
        return new ServerCore.Applied(ConfChangeContexts.requestId(cc), membership.members());
    }

    @Override
    public long restore(io.vetcd.raft.Snapshot snapshot, java.nio.file.Path payloadDir) {
        java.nio.file.Path checkpointDir;
        try {
            checkpointDir = snapshotFormat.readBackend(snapshot, payloadDir, membership);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the leader's snapshot", e);
        }
        store.loadFrom(checkpointDir);
        var record = MembershipRecord.read(store);
        if (record != null) {
            membership.replaceWith(MembershipRecord.members(record), MembershipRecord.removed(record));
            String previous = membership.clusterVersion();
            membership.clusterVersion(MembershipRecord.clusterVersion(record));
            String now = membership.clusterVersion();
            if (now != null && !now.equals(previous)) clusterVersionListener.accept(now);
        }
        alarms.load(store);
        auth.load(store);
        if (watchHub != null) watchHub.afterRestore();
        lessor.recover(); // leases and their keys as of the snapshot
        return store.consistentIndex();
    }

    @Override
    public byte[] snapshotData(long index) { return snapshotFormat.data(membership, index); }

    @Override
    public void writeSnapshotDb(java.io.OutputStream out, java.nio.file.Path scratchDir) throws java.io.IOException {
        snapshotFormat.writeBackend(store, membership, out, scratchDir);
    }

    /** How snapshots look on the wire (set by the node: etcd's format). */
    public void snapshotFormat(SnapshotFormat f) { this.snapshotFormat = f; }

    private CompactionResponse applyCompaction(CompactionRequest r, long index) {
        store.compact(r.getRevision(), index);
        return CompactionResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(store.currentRevision())).build();
    }

    // ---- plumbing ----

    private RangeResponse readRange(RangeRequest r) {
        try {
            return kv.range(r);
        } catch (RuntimeException e) {
            throw MvccErrors.translate(e);
        }
    }

    /** Completes once every write committed before the call has been applied locally (ReadIndex). */
    public Future<Void> readBarrier() {
        Context ctx = vertx.getOrCreateContext();
        Promise<Void> p = Promise.promise();
        long timer = vertx.setTimer(requestTimeoutMs, t -> {
            if (p.tryFail(EtcdError.TIMEOUT.exception())) metrics.slowReadIndexes.inc();
        });
        core.readIndex().whenComplete((idx, err) -> ctx.runOnContext(v -> {
            vertx.cancelTimer(timer);
            if (err != null) {
                if (p.tryFail(err)) metrics.readIndexesFailed.inc();
            } else {
                p.tryComplete();
            }
        }));
        return p.future();
    }

    @SuppressWarnings("unchecked")
    <T extends Message> Future<T> propose(AuthInfo ai, InternalRaftRequest.Builder req) {
        return proposeRaw(ai, req).map(o -> (T) stamp((Message) o));
    }

    /** Proposes a request on behalf of {@code ai} and completes with whatever applying it produced. */
    Future<Object> proposeRaw(AuthInfo ai, InternalRaftRequest.Builder req) {
        return proposer.propose(ai, req);
    }

    /** Proposes one of the v2 requests etcd 3.4 still sends through raft (bare, as etcd does). */
    Future<Object> proposeV2(java.util.function.LongFunction<io.vetcd.pb.etcdwal.Request> request) {
        return proposer.proposeV2(request);
    }

    /** Proposes a membership change; completes with the members after it is applied here. */
    Future<List<Member>> proposeConfChange(ConfChangeType type, long nodeId, Member member) {
        return proposer.proposeConfChange(type, nodeId, member);
    }

    /**
     * Fills in the header fields only the server knows, keeping the revision the applier set. The
     * KV appliers' answers and reads come complete (a member id is set) and pass as they are; the rest (rarer
     * requests) are rebuilt once through their descriptor.
     */
    @SuppressWarnings("unchecked")
    private <T extends Message> T stamp(T msg) {
        if (msg instanceof PutResponse p && p.getHeader().getMemberId() != 0) return msg;
        if (msg instanceof TxnResponse t && t.getHeader().getMemberId() != 0) return msg;
        if (msg instanceof DeleteRangeResponse d && d.getHeader().getMemberId() != 0) return msg;
        if (msg instanceof RangeResponse r && r.getHeader().getMemberId() != 0) return msg;
        var fd = msg.getDescriptorForType().findFieldByName("header");
        if (fd == null) return msg;
        ResponseHeader h = (ResponseHeader) msg.getField(fd);
        ResponseHeader full = header(h.getRevision());
        return (T) msg.toBuilder().setField(fd, full).build();
    }

    public List<Member> members() { return membership.members(); }

    /** Told (on the apply thread) when this member, as leader, applies the first entry of its term. */
    public void onFirstCommitInTerm(Runnable r) { this.firstCommitInTerm = r; }

    /** Told (on the apply thread) each time the agreed cluster version changes. */
    public void onClusterVersion(java.util.function.Consumer<String> listener) { this.clusterVersionListener = listener; }
}
