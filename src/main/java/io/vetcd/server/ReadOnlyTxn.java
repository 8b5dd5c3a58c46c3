package io.vetcd.server;

import io.vetcd.auth.AuthInfo;
import io.vetcd.auth.AuthStore;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.mvcc.RangeResult;
import io.vetcd.pb.etcdserver.Compare;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.ResponseOp;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;

import java.util.List;
import java.util.function.LongFunction;

/**
 * A txn of ranges only, answered as a read, as etcd 3.4 does (isTxnReadonly): no raft entry, no
 * fsync; linearizable after a ReadIndex unless every top-level op is a serializable range
 * ({@link #serializable}; then, as in etcd, it is served from local state even without a leader).
 *
 * <p>Every compare and range reads the store at one revision, the current one when the txn begins:
 * history up to the current revision is immutable ({@link MvccStore}'s threading contract), so the
 * reads agree with one another as the applier's single write transaction would. Runs on a worker.
 */
final class ReadOnlyTxn {
    private final MvccStore store;
    private final LongFunction<ResponseHeader> headers;

    ReadOnlyTxn(MvccStore store, LongFunction<ResponseHeader> headers) {
        this.store = store;
        this.headers = headers;
    }

    /**
     * etcd 3.4's isTxnReadonly: every op of both branches is a range. A nested txn, even of ranges
     * only, makes it a write (a raft entry), as in etcd.
     */
    static boolean servedAsRead(TxnRequest t) {
        for (List<RequestOp> ops : List.of(t.getSuccessList(), t.getFailureList())) {
            for (RequestOp op : ops) {
                if (!op.hasRequestRange()) return false;
            }
        }
        return true;
    }

    /** etcd's isTxnSerializable: every op of both branches is a serializable range (none: true). */
    static boolean serializable(TxnRequest t) {
        for (List<RequestOp> ops : List.of(t.getSuccessList(), t.getFailureList())) {
            for (RequestOp op : ops) {
                if (!op.hasRequestRange() || !op.getRequestRange().getSerializable()) return false;
            }
        }
        return true;
    }

    /** Read permission on every key compared or read (etcd's checkTxnAuth). */
    static void checkReadable(AuthStore auth, AuthInfo ai, TxnRequest t) {
        for (Compare c : t.getCompareList()) auth.checkRange(ai, c.getKey().toByteArray(), c.getRangeEnd().toByteArray());
        for (List<RequestOp> ops : List.of(t.getSuccessList(), t.getFailureList())) {
            for (RequestOp op : ops) {
                auth.checkRange(ai, op.getRequestRange().getKey().toByteArray(), op.getRequestRange().getRangeEnd().toByteArray());
            }
        }
    }

    /** Evaluates {@code t} (which {@link #servedAsRead} accepted) at the current revision. */
    TxnResponse run(TxnRequest t) {
        long rev = store.currentRevision();
        int[] ranges = {0};
        try {
            TxnResponse.Builder resp = eval(t, rev, ranges);
            store.metrics().txnEnded(ranges[0], 0, 0, 0); // etcd's read txn: its range calls, one txn if more than one
            return resp.setHeader(headers.apply(rev)).build();
        } catch (RuntimeException e) {
            throw MvccErrors.translate(e);
        }
    }

    private TxnResponse.Builder eval(TxnRequest t, long rev, int[] ranges) {
        boolean ok = true;
        for (Compare c : t.getCompareList()) {
            ranges[0]++;
            if (!compare(c, rev)) {
                ok = false;
                break;
            }
        }
        List<RequestOp> ops = ok ? t.getSuccessList() : t.getFailureList();
        // the revisions asked for are checked before anything is read: the txn fails whole
        for (RequestOp op : ops) {
            long asked = op.getRequestRange().getRevision();
            if (asked > rev) throw EtcdError.FUTURE_REV.exception();
            if (asked > 0 && asked < store.compactRevision()) throw EtcdError.COMPACTED.exception();
        }
        TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(ok);
        for (RequestOp op : ops) {
            RangeRequest asked = op.getRequestRange();
            ranges[0]++;
            RangeResult rr = store.range(asked.getRevision() == 0 ? asked.toBuilder().setRevision(rev).build() : asked);
            // inside a txn a range's header carries the txn's revision only, as the applier's do
            resp.addResponses(ResponseOp.newBuilder()
                .setResponseRange(KvApplier.toResponse(rr).setHeader(ResponseHeader.newBuilder().setRevision(rev))));
        }
        return resp;
    }

    private boolean compare(Compare c, long rev) {
        return KvApplier.holds(c, store.range(RangeRequest.newBuilder().setKey(c.getKey()).setRangeEnd(c.getRangeEnd()).setRevision(rev).build()).kvs());
    }
}
