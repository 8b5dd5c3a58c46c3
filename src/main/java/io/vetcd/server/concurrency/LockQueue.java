package io.vetcd.server.concurrency;

import com.google.protobuf.ByteString;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.etcdserver.Compare;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.pb.lock.LockResponse;
import io.vetcd.pb.lock.UnlockResponse;
import io.vetcd.pb.mvcc.KeyValue;
import io.vetcd.server.EtcdServer;

import java.util.List;

/**
 * etcd's v3lock server: clientv3's Mutex on the caller's lease. Waiters queue by the create
 * revision of their key {@code name/hex(lease)}; the oldest holds the lock. The lock lives only
 * in the keys, so it survives a member restart or a client reconnect and ends with the lease.
 */
public final class LockQueue {
    private final EtcdServer server;

    public LockQueue(EtcdServer server) {
        this.server = server;
    }

    public Future<LockResponse> lock(AuthInfo ai, ByteString name, long lease, Context ctx, Cancellation cancel) {
        return SessionLease.resolve(server, ai, lease).compose(id -> lockWith(ai, name, id, ctx, cancel));
    }

    private Future<LockResponse> lockWith(AuthInfo ai, ByteString name, long lease, Context ctx, Cancellation cancel) {
        ByteString prefix = ContenderKeys.prefix(name);
        ByteString key = ContenderKeys.key(prefix, lease);
        RangeRequest owner = ContenderKeys.firstCreated(prefix);
        // One round trip: enqueue (or find our key, if this lease already queued) and read the owner.
        TxnRequest txn = TxnRequest.newBuilder()
            .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
                .setResult(Compare.CompareResult.EQUAL).setCreateRevision(0))
            .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setLease(lease)))
            .addSuccess(RequestOp.newBuilder().setRequestRange(owner))
            .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
            .addFailure(RequestOp.newBuilder().setRequestRange(owner))
            .build();
        return server.txn(ai, txn).compose(resp -> {
            long myRev = resp.getSucceeded() ? resp.getHeader().getRevision()
                : resp.getResponses(0).getResponseRange().getKvs(0).getCreateRevision();
            List<KeyValue> first = resp.getResponses(1).getResponseRange().getKvsList();
            if (first.isEmpty() || first.get(0).getCreateRevision() == myRev) {
                return Future.succeededFuture(response(resp, key));
            }
            return Predecessors.waitGone(server, ai, ctx, prefix, myRev - 1, cancel)
                .map(hdr -> LockResponse.newBuilder().setHeader(hdr).setKey(key).build())
                // Mutex.Lock gives up its place when the wait fails (the caller went away, a
                // compaction): the key is deleted even if an earlier Lock call had created it.
                .recover(err -> server.deleteRange(ai, DeleteRangeRequest.newBuilder().setKey(key).build())
                    .transform(ignored -> Future.<LockResponse>failedFuture(err)));
        });
    }

    private static LockResponse response(TxnResponse resp, ByteString key) {
        return LockResponse.newBuilder().setHeader(resp.getHeader()).setKey(key).build();
    }

    /** Unlock is a plain delete of the key Lock returned, whoever holds it. */
    public Future<UnlockResponse> unlock(AuthInfo ai, ByteString key) {
        return server.deleteRange(ai, DeleteRangeRequest.newBuilder().setKey(key).build())
            .map(r -> UnlockResponse.newBuilder().setHeader(r.getHeader()).build());
    }
}
