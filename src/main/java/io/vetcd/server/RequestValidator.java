package io.vetcd.server;

import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.TxnRequest;

/**
 * The checks etcd makes on a request before it is proposed (v3rpc's
 * checkXxxRequest): cheap, stateless, and so done on the event loop. Anything
 * that depends on state (a lease existing, a revision being compacted) is
 * decided when the request is applied.
 */
public final class RequestValidator {
    private final int maxTxnOps;

    public RequestValidator(int maxTxnOps) {
        this.maxTxnOps = maxTxnOps;
    }

    public void checkRange(RangeRequest r) {
        if (r.getKey().isEmpty()) throw EtcdError.EMPTY_KEY.exception();
    }

    public void checkPut(PutRequest r) {
        if (r.getKey().isEmpty()) throw EtcdError.EMPTY_KEY.exception();
        if (r.getIgnoreValue() && !r.getValue().isEmpty()) throw EtcdError.VALUE_PROVIDED.exception();
        if (r.getIgnoreLease() && r.getLease() != 0) throw EtcdError.LEASE_PROVIDED.exception();
    }

    public void checkDelete(DeleteRangeRequest r) {
        if (r.getKey().isEmpty()) throw EtcdError.EMPTY_KEY.exception();
    }

    public void checkTxn(TxnRequest r) {
        checkTxn(r, maxTxnOps);
        TxnKeyConflicts.check(r);
    }

    private void checkTxn(TxnRequest r, int budget) {
        int ops = Math.max(r.getCompareCount(), Math.max(r.getSuccessCount(), r.getFailureCount()));
        if (ops > budget) throw EtcdError.TOO_MANY_OPS.exception();
        for (var c : r.getCompareList()) {
            if (c.getKey().isEmpty()) throw EtcdError.EMPTY_KEY.exception();
        }
        for (RequestOp op : r.getSuccessList()) checkOp(op, budget - ops);
        for (RequestOp op : r.getFailureList()) checkOp(op, budget - ops);
    }

    private void checkOp(RequestOp op, int budget) {
        switch (op.getRequestCase()) {
            case REQUEST_RANGE -> checkRange(op.getRequestRange());
            case REQUEST_PUT -> checkPut(op.getRequestPut());
            case REQUEST_DELETE_RANGE -> checkDelete(op.getRequestDeleteRange());
            case REQUEST_TXN -> checkTxn(op.getRequestTxn(), budget);
            default -> throw EtcdError.KEY_NOT_FOUND.exception(); // etcd's answer to an empty op
        }
    }
}
