package io.vetcd.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vetcd.lease.Lease;
import io.vetcd.lease.LeaseException;
import io.vetcd.lease.LeaseIdGenerator;
import io.vetcd.lease.Lessor;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.etcdserver.CompactionRequest;
import io.vetcd.pb.etcdserver.CompactionResponse;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.DeleteRangeResponse;
import io.vetcd.pb.etcdserver.HashKVResponse;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseGrantResponse;
import io.vetcd.pb.etcdserver.LeaseLeasesResponse;
import io.vetcd.pb.etcdserver.LeaseRevokeRequest;
import io.vetcd.pb.etcdserver.LeaseRevokeResponse;
import io.vetcd.pb.etcdserver.LeaseStatus;
import io.vetcd.pb.etcdserver.LeaseTimeToLiveRequest;
import io.vetcd.pb.etcdserver.LeaseTimeToLiveResponse;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.PutResponse;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.StatusResponse;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.pb.internal.InternalRaftRequest;
import io.vetcd.pb.internal.RequestHeader;
import io.vetcd.raft.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the API layer talks to: validates requests, proposes writes to the
 * core and completes when they are applied, serves reads from the MVCC store
 * on worker threads, and stamps etcd's response header on everything.
 * Methods are called on event loops and never block them.
 */
public final class EtcdServer {
    private static final Logger log = LoggerFactory.getLogger(EtcdServer.class);
    public static final String VERSION = "3.4.23";
    public static final String CLUSTER_VERSION = "3.4.0";

    private final Vertx vertx;
    private final MvccStore store;
    private final KvApplier kv;
    private final Lessor lessor;
    private final LeaseIdGenerator leaseIds;
    private final RequestValidator validator;
    private final Membership membership;
    private final long maxRequestBytes;
    private final AtomicLong nextProposalId;
    private volatile ServerCore core;

    public EtcdServer(Vertx vertx, MvccStore store, Lessor lessor, Membership membership, int maxTxnOps,
                      long maxRequestBytes) {
        this.vertx = vertx;
        this.store = store;
        this.kv = new KvApplier(store);
        this.lessor = lessor;
        this.leaseIds = new LeaseIdGenerator(membership.localId(), System.currentTimeMillis());
        kv.leases(new LeaseLookup() {
            @Override public boolean exists(long id) { return lessor.exists(id); }
            @Override public void attach(long id, ByteString key) { lessor.attach(id, key); }
            @Override public void detach(long id, ByteString key) { lessor.detach(id, key); }
        });
        this.validator = new RequestValidator(maxTxnOps);
        this.membership = membership;
        this.maxRequestBytes = maxRequestBytes;
        // ids only need to be unique among this member's in-flight proposals, also across restarts
        this.nextProposalId = new AtomicLong(System.nanoTime());
    }

    public void attach(ServerCore core) { this.core = core; }

    public MvccStore store() { return store; }
    public Membership membership() { return membership; }
    public long memberId() { return membership.localId(); }
    public long clusterId() { return membership.clusterId(); }
    public ServerCore core() { return core; }
    public Lessor lessor() { return lessor; }

    // ---- KV ----

    public Future<RangeResponse> range(RangeRequest r) {
        try {
            validator.checkRange(r);
        } catch (EtcdException e) {
            return Future.failedFuture(e);
        }
        // Serializable reads are served from local state; linearizable ones wait for
        // everything committed before they started to be applied (ReadIndex).
        Future<Void> ready = r.getSerializable() ? Future.succeededFuture() : readBarrier();
        return ready.compose(v -> vertx.executeBlocking(() -> stamp(readRange(r)), false));
    }

    public Future<PutResponse> put(PutRequest r) {
        return validated(() -> validator.checkPut(r))
            .compose(v -> propose(InternalRaftRequest.newBuilder().setPut(r)));
    }

    public Future<DeleteRangeResponse> deleteRange(DeleteRangeRequest r) {
        return validated(() -> validator.checkDelete(r))
            .compose(v -> propose(InternalRaftRequest.newBuilder().setDeleteRange(r)));
    }

    public Future<TxnResponse> txn(TxnRequest r) {
        return validated(() -> validator.checkTxn(r))
            .compose(v -> propose(InternalRaftRequest.newBuilder().setTxn(r)));
    }

    public Future<CompactionResponse> compact(CompactionRequest r) {
        Future<CompactionResponse> f = propose(InternalRaftRequest.newBuilder().setCompaction(r));
        if (!r.getPhysical()) return f;
        // physical: answer once the superseded revisions are really gone
        return f.compose(resp -> Future.fromCompletionStage(store.compactionWait(), vertx.getOrCreateContext()).map(resp));
    }

    // ---- leases ----

    public Future<LeaseGrantResponse> leaseGrant(LeaseGrantRequest r) {
        // the proposer picks the id, so every member applies the same one
        if (r.getID() == 0) r = r.toBuilder().setID(leaseIds.next()).build();
        return propose(InternalRaftRequest.newBuilder().setLeaseGrant(r));
    }

    public Future<LeaseRevokeResponse> leaseRevoke(LeaseRevokeRequest r) {
        return propose(InternalRaftRequest.newBuilder().setLeaseRevoke(r));
    }

    /** Renews on the primary (renewals do not go through raft); the TTL granted. */
    public Future<Long> leaseRenew(long id) {
        return readBarrier().compose(v -> Future.fromCompletionStage(lessor.renew(id), vertx.getOrCreateContext()))
            .recover(e -> Future.failedFuture(leaseError(e)));
    }

    /** Remaining and granted TTL; fails with LEASE_NOT_FOUND for an unknown id (the API answers TTL -1). */
    public Future<LeaseTimeToLiveResponse> leaseTimeToLive(LeaseTimeToLiveRequest r) {
        return readBarrier().map(v -> {
            Lease l = lessor.lookup(r.getID());
            if (l == null) throw EtcdError.LEASE_NOT_FOUND.exception();
            LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder().setHeader(header())
                .setID(r.getID()).setTTL(l.remainingSeconds(lessor.now())).setGrantedTTL(l.ttlSeconds());
            if (r.getKeys()) b.addAllKeys(l.keys());
            return b.build();
        });
    }

    public Future<LeaseLeasesResponse> leaseLeases() {
        LeaseLeasesResponse.Builder b = LeaseLeasesResponse.newBuilder().setHeader(header());
        for (Lease l : lessor.leases()) b.addLeases(LeaseStatus.newBuilder().setID(l.id()));
        return Future.succeededFuture(b.build());
    }

    static EtcdException leaseError(Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
        if (t instanceof EtcdException e) return e;
        if (t instanceof LeaseException le) {
            return switch (le.reason()) {
                case NOT_FOUND -> EtcdError.LEASE_NOT_FOUND.exception();
                case EXISTS -> EtcdError.LEASE_EXIST.exception();
                case TTL_TOO_LARGE -> EtcdError.LEASE_TTL_TOO_LARGE.exception();
                case NOT_PRIMARY -> EtcdError.NOT_LEADER.exception();
            };
        }
        if (t instanceof RuntimeException re) throw re;
        throw new IllegalStateException(t);
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
            .setIsLearner(false)
            .build(), false);
    }

    public Future<HashKVResponse> hashKV(long revision) {
        return vertx.executeBlocking(() -> {
            try {
                var h = store.hashKV(revision);
                return HashKVResponse.newBuilder().setHeader(header(h.revision()))
                    .setHash((int) h.hash()).setCompactRevision(h.compactRevision()).build();
            } catch (RuntimeException e) {
                throw MvccErrors.translate(e);
            }
        }, false);
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

    // ---- applying committed entries (core thread) ----

    /** Decodes and applies one committed entry; returns what its proposer gets. */
    public Object apply(Entry entry) {
        InternalRaftRequest req;
        try {
            req = InternalRaftRequest.parseFrom(entry.data());
        } catch (InvalidProtocolBufferException e) {
            log.warn("skipping undecodable entry at index {}", entry.index());
            store.beginWrite().commit(entry.index());
            return EtcdError.NOT_CAPABLE.exception();
        }
        try {
            if (req.hasPut()) return kv.put(req.getPut(), entry.index());
            if (req.hasDeleteRange()) return kv.deleteRange(req.getDeleteRange(), entry.index());
            if (req.hasTxn()) return kv.txn(req.getTxn(), entry.index());
            if (req.hasCompaction()) return applyCompaction(req.getCompaction(), entry.index());
            if (req.hasLeaseGrant()) return applyLeaseGrant(req.getLeaseGrant(), entry.index());
            if (req.hasLeaseRevoke()) return applyLeaseRevoke(req.getLeaseRevoke(), entry.index());
            store.beginWrite().commit(entry.index());
            return EtcdError.NOT_CAPABLE.exception();
        } catch (EtcdException e) {
            return e;
        } catch (RuntimeException e) {
            EtcdException mapped = MvccErrors.translateOrNull(e);
            if (mapped == null) throw e;
            store.beginWrite().commit(entry.index());
            return mapped;
        }
    }

    private CompactionResponse applyCompaction(CompactionRequest r, long index) {
        store.compact(r.getRevision(), index);
        return CompactionResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(store.currentRevision())).build();
    }

    private LeaseGrantResponse applyLeaseGrant(LeaseGrantRequest r, long index) {
        try {
            Lease l = lessor.grant(r.getID(), r.getTTL(), index);
            return LeaseGrantResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(store.currentRevision()))
                .setID(l.id()).setTTL(l.ttlSeconds()).build();
        } catch (LeaseException e) {
            store.beginWrite().commit(index);
            throw leaseError(e);
        }
    }

    private LeaseRevokeResponse applyLeaseRevoke(LeaseRevokeRequest r, long index) {
        try {
            long rev = lessor.revoke(r.getID(), index);
            return LeaseRevokeResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(rev)).build();
        } catch (LeaseException e) {
            store.beginWrite().commit(index);
            throw leaseError(e);
        }
    }

    // ---- plumbing ----

    private RangeResponse readRange(RangeRequest r) {
        try {
            return kv.range(r);
        } catch (RuntimeException e) {
            throw MvccErrors.translate(e);
        }
    }

    /** Completes once every write committed before the call has been applied locally. */
    public Future<Void> readBarrier() {
        ServerCore c = core;
        // One member: every acknowledged write is already applied, because a write is
        // acknowledged only after it is applied. Clusters replace this with ReadIndex.
        return c.failure() == null ? Future.succeededFuture() : Future.failedFuture(EtcdError.STOPPED.exception());
    }

    private static Future<Void> validated(Runnable check) {
        try {
            check.run();
            return Future.succeededFuture();
        } catch (EtcdException e) {
            return Future.failedFuture(e);
        }
    }

    @SuppressWarnings("unchecked")
    private <T extends Message> Future<T> propose(InternalRaftRequest.Builder req) {
        long id = nextProposalId.incrementAndGet();
        req.setHeader(RequestHeader.newBuilder().setId(id).setMemberId(membership.localId()));
        byte[] data = req.build().toByteArray();
        if (data.length > maxRequestBytes) return Future.failedFuture(EtcdError.REQUEST_TOO_LARGE.exception());
        Context ctx = vertx.getOrCreateContext();
        Promise<Object> promise = Promise.promise();
        core.submit(new Proposal(id, data, promise, ctx));
        return promise.future().map(o -> (T) stamp((Message) o));
    }

    /** Fills in the header fields only the server knows, keeping the revision the applier set. */
    @SuppressWarnings("unchecked")
    private <T extends Message> T stamp(T msg) {
        var fd = msg.getDescriptorForType().findFieldByName("header");
        if (fd == null) return msg;
        ResponseHeader h = (ResponseHeader) msg.getField(fd);
        ResponseHeader full = header(h.getRevision());
        return (T) msg.toBuilder().setField(fd, full).build();
    }

    public List<Member> members() { return membership.members(); }
}
