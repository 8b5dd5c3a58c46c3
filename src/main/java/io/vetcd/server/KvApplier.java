package io.vetcd.server;

import com.google.protobuf.ByteString;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.mvcc.RangeResult;
import io.vetcd.mvcc.WriteTxn;
import io.vetcd.pb.etcdserver.Compare;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.DeleteRangeResponse;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.PutResponse;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.ResponseOp;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.pb.mvcc.KeyValue;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies KV requests to the MVCC store with etcd 3.4's semantics (apply.go):
 * one write transaction per request, one revision per transaction that changes
 * something, transaction compares evaluated against the state before any of
 * its operations. Called only from the core thread.
 *
 * <p>The answers of put, delete and txn carry the whole header (cluster, member, revision, raft
 * term), built once here, so nothing rebuilds them on the way out; nested and range headers carry
 * only the revision and are stamped by the server.
 */
public final class KvApplier {
    private final MvccStore store;
    private volatile LeaseLookup leases = LeaseLookup.NONE;
    private volatile java.util.function.LongFunction<ResponseHeader> headers =
        rev -> ResponseHeader.newBuilder().setRevision(rev).build();
    /** Lease changes of the request being applied, told to the lessor only once it commits. */
    private final List<KeyLeaseChange> leaseChanges = new ArrayList<>();

    /** {@code key} moved from lease {@code before} to lease {@code after} (0 = none). */
    private record KeyLeaseChange(ByteString key, long before, long after) { }

    public KvApplier(MvccStore store) {
        this.store = store;
    }

    public void leases(LeaseLookup leases) { this.leases = leases; }

    /** The header of a top-level answer at a revision (the server's: cluster, member, raft term). */
    public void headers(java.util.function.LongFunction<ResponseHeader> headers) { this.headers = headers; }

    public PutResponse put(PutRequest p, long index) {
        if (p.getLease() != 0 && !leases.exists(p.getLease())) {
            store.beginWrite().commit(index);
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        WriteTxn txn = store.beginGroupedWrite();
        leaseChanges.clear();
        try {
            PutResponse.Builder resp = put(txn, p);
            long rev = txn.commit(index);
            publishLeaseChanges();
            return resp.setHeader(headers.apply(rev)).build();
        } catch (RuntimeException e) {
            txn.abort();
            leaseChanges.clear();
            store.beginWrite().commit(index);
            throw e;
        }
    }

    public DeleteRangeResponse deleteRange(DeleteRangeRequest d, long index) {
        WriteTxn txn = store.beginGroupedWrite();
        leaseChanges.clear();
        DeleteRangeResponse.Builder resp = deleteRange(txn, d);
        long rev = txn.commit(index);
        publishLeaseChanges();
        return resp.setHeader(headers.apply(rev)).build();
    }

    public TxnResponse txn(TxnRequest t, long index) {
        WriteTxn txn = store.beginGroupedWrite();
        leaseChanges.clear();
        try {
            List<Boolean> path = new ArrayList<>();
            comparePath(txn, t, path);
            checkPath(txn, t, path, new int[]{0});
            // etcd compares in a read transaction and writes in another; its mvcc metrics count them apart
            if (!isReadOnly(t)) txn.endMetricsPhase();
            TxnResponse.Builder resp = applyTxn(txn, t, path, new int[]{0});
            long rev = txn.commit(index);
            publishLeaseChanges();
            stampRevision(resp, rev);
            return resp.setHeader(headers.apply(rev)).build();
        } catch (RuntimeException e) {
            txn.abort();
            leaseChanges.clear();
            store.beginWrite().commit(index);
            throw e;
        }
    }

    /** Tells the lessor, in operation order, which keys the committed request moved between leases. */
    private void publishLeaseChanges() {
        LeaseLookup l = leases;
        for (KeyLeaseChange c : leaseChanges) {
            if (c.before() != 0 && c.before() != c.after()) l.detach(c.before(), c.key());
            if (c.after() != 0) l.attach(c.after(), c.key());
        }
        leaseChanges.clear();
    }

    /** A serializable or linearizable read outside any transaction. */
    public RangeResponse range(RangeRequest r) {
        RangeResult rr = store.range(r);
        store.metrics().rangeRead();
        return toResponse(rr).setHeader(headers.apply(rr.revision())).build(); // whole header: nothing to stamp
    }

    /**
     * A count-only range the store answers from memory ({@link MvccStore#countFromMemory}), with its
     * whole header; null when it must be read. Touches no RocksDB: safe on an event loop.
     */
    public RangeResponse countFromMemory(RangeRequest r) {
        RangeResult rr = store.countFromMemory(r);
        if (rr == null) return null;
        store.metrics().rangeRead();
        return RangeResponse.newBuilder().setHeader(headers.apply(rr.revision())).setCount(rr.count()).build();
    }

    /** etcd's isTxnReadonly: only ranges, at every nesting level. */
    static boolean isReadOnly(TxnRequest t) {
        for (List<RequestOp> ops : List.of(t.getSuccessList(), t.getFailureList())) {
            for (RequestOp op : ops) {
                switch (op.getRequestCase()) {
                    case REQUEST_RANGE -> { }
                    case REQUEST_TXN -> { if (!isReadOnly(op.getRequestTxn())) return false; }
                    default -> { return false; }
                }
            }
        }
        return true;
    }

    private PutResponse.Builder put(WriteTxn txn, PutRequest p) {
        PutResponse.Builder resp = PutResponse.newBuilder();
        KeyValue prev = null;
        if (p.getIgnoreValue() || p.getIgnoreLease() || p.getPrevKv()) {
            RangeResult rr = txn.range(RangeRequest.newBuilder().setKey(p.getKey()).build());
            prev = rr.kvs().isEmpty() ? null : rr.kvs().get(0);
        }
        if ((p.getIgnoreValue() || p.getIgnoreLease()) && prev == null) {
            throw EtcdError.KEY_NOT_FOUND.exception();
        }
        ByteString value = p.getIgnoreValue() ? prev.getValue() : p.getValue();
        long lease = p.getIgnoreLease() ? prev.getLease() : p.getLease();
        if (p.getPrevKv() && prev != null) resp.setPrevKv(prev);
        long before = txn.putWithoutPrevKv(p.getKey(), value, lease); // the lease of the version it replaces
        if (before != 0 || lease != 0) leaseChanges.add(new KeyLeaseChange(p.getKey(), before, lease));
        return resp;
    }

    private DeleteRangeResponse.Builder deleteRange(WriteTxn txn, DeleteRangeRequest d) {
        DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder();
        List<KeyValue> deleted = txn.deleteRange(d.getKey(), d.getRangeEnd());
        for (KeyValue kv : deleted) {
            if (kv.getLease() != 0) leaseChanges.add(new KeyLeaseChange(kv.getKey(), kv.getLease(), 0));
        }
        resp.setDeleted(deleted.size());
        if (d.getPrevKv()) resp.addAllPrevKvs(deleted);
        return resp;
    }

    /** A range's answer, its header holding the revision read. */
    static RangeResponse.Builder toResponse(RangeResult rr) {
        RangeResponse.Builder b = RangeResponse.newBuilder()
            .setHeader(ResponseHeader.newBuilder().setRevision(rr.revision()))
            .setCount(rr.count())
            .setMore(rr.more());
        b.addAllKvs(rr.kvs());
        return b;
    }

    /** Evaluates every compare of this txn and of the nested txns on the chosen paths, before any write. */
    private void comparePath(WriteTxn txn, TxnRequest t, List<Boolean> path) {
        boolean ok = true;
        for (Compare c : t.getCompareList()) {
            if (!compare(txn, c)) { ok = false; break; }
        }
        path.add(ok);
        for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
            if (op.getRequestCase() == RequestOp.RequestCase.REQUEST_TXN) comparePath(txn, op.getRequestTxn(), path);
        }
    }

    private boolean compare(WriteTxn txn, Compare c) {
        return holds(c, txn.range(RangeRequest.newBuilder().setKey(c.getKey()).setRangeEnd(c.getRangeEnd()).build()).kvs());
    }

    /** Whether compare {@code c} holds for the keys its range read (every one of them; none: a missing key). */
    static boolean holds(Compare c, List<KeyValue> kvs) {
        if (kvs.isEmpty()) {
            // a missing key has no value to compare; its revisions and version are zero
            if (c.getTarget() == Compare.CompareTarget.VALUE) return false;
            return compareKv(c, KeyValue.getDefaultInstance());
        }
        for (KeyValue kv : kvs) if (!compareKv(c, kv)) return false;
        return true;
    }

    static boolean compareKv(Compare c, KeyValue kv) {
        int result = switch (c.getTarget()) {
            case VALUE -> ByteString.unsignedLexicographicalComparator().compare(kv.getValue(), c.getValue());
            case CREATE -> Long.compare(kv.getCreateRevision(), c.getCreateRevision());
            case MOD -> Long.compare(kv.getModRevision(), c.getModRevision());
            case VERSION -> Long.compare(kv.getVersion(), c.getVersion());
            case LEASE -> Long.compare(kv.getLease(), c.getLease());
            default -> 0;
        };
        return switch (c.getResult()) {
            case EQUAL -> result == 0;
            case NOT_EQUAL -> result != 0;
            case GREATER -> result > 0;
            case LESS -> result < 0;
            default -> true;
        };
    }

    /** The state-dependent checks of the ops that will run, so a txn fails whole or not at all. */
    private void checkPath(WriteTxn txn, TxnRequest t, List<Boolean> path, int[] at) {
        boolean ok = path.get(at[0]++);
        for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
            switch (op.getRequestCase()) {
                case REQUEST_PUT -> {
                    PutRequest p = op.getRequestPut();
                    if (p.getIgnoreValue() || p.getIgnoreLease()) {
                        if (txn.range(RangeRequest.newBuilder().setKey(p.getKey()).build()).kvs().isEmpty()) {
                            throw EtcdError.KEY_NOT_FOUND.exception();
                        }
                    }
                    if (p.getLease() != 0 && !leases.exists(p.getLease())) throw EtcdError.LEASE_NOT_FOUND.exception();
                }
                case REQUEST_RANGE -> {
                    long rev = op.getRequestRange().getRevision();
                    if (rev > txn.beginRevision()) throw EtcdError.FUTURE_REV.exception();
                    if (rev > 0 && rev < store.compactRevision()) throw EtcdError.COMPACTED.exception();
                }
                case REQUEST_TXN -> checkPath(txn, op.getRequestTxn(), path, at);
                default -> { }
            }
        }
    }

    private TxnResponse.Builder applyTxn(WriteTxn txn, TxnRequest t, List<Boolean> path, int[] at) {
        boolean ok = path.get(at[0]++);
        TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(ok);
        for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
            ResponseOp.Builder r = ResponseOp.newBuilder();
            switch (op.getRequestCase()) {
                case REQUEST_RANGE -> {
                    RangeRequest rr = op.getRequestRange();
                    r.setResponseRange(toResponse(txn.range(rr)));
                }
                case REQUEST_PUT -> r.setResponsePut(put(txn, op.getRequestPut()));
                case REQUEST_DELETE_RANGE -> r.setResponseDeleteRange(deleteRange(txn, op.getRequestDeleteRange()));
                case REQUEST_TXN -> r.setResponseTxn(applyTxn(txn, op.getRequestTxn(), path, at));
                default -> { }
            }
            resp.addResponses(r);
        }
        return resp;
    }

    /**
     * etcd reports the txn's final revision on the txn and on its writes; a nested txn's own header
     * stays empty (etcd's newTxnResp).
     */
    private static void stampRevision(TxnResponse.Builder resp, long rev) {
        resp.setHeader(ResponseHeader.newBuilder().setRevision(rev));
        stampWrites(resp, rev);
    }

    private static void stampWrites(TxnResponse.Builder resp, long rev) {
        for (ResponseOp.Builder r : resp.getResponsesBuilderList()) {
            switch (r.getResponseCase()) {
                case RESPONSE_PUT -> r.getResponsePutBuilder().setHeader(ResponseHeader.newBuilder().setRevision(rev));
                case RESPONSE_DELETE_RANGE -> r.getResponseDeleteRangeBuilder().setHeader(ResponseHeader.newBuilder().setRevision(rev));
                case RESPONSE_TXN -> stampWrites(r.getResponseTxnBuilder().setHeader(ResponseHeader.getDefaultInstance()), rev);
                default -> { }
            }
        }
    }
}
