package io.vetcd.server.concurrency;

import com.google.protobuf.ByteString;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.election.CampaignResponse;
import io.vetcd.pb.election.LeaderKey;
import io.vetcd.pb.election.LeaderResponse;
import io.vetcd.pb.election.ProclaimResponse;
import io.vetcd.pb.election.ResignResponse;
import io.vetcd.pb.etcdserver.Compare;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.pb.mvcc.KeyValue;
import io.vetcd.server.EtcdServer;

/**
 * etcd's v3election server: clientv3's Election recipe. Candidates are the keys
 * {@code name/hex(lease)}; the leader is the oldest by create revision. A {@link LeaderKey}
 * names a leadership by key and create revision, so Proclaim and Resign act only while that very
 * key (not a later one with the same name) still exists.
 */
public final class Election {
    private final EtcdServer server;

    public Election(EtcdServer server) {
        this.server = server;
    }

    public Future<CampaignResponse> campaign(AuthInfo ai, ByteString name, long lease, ByteString value, Context ctx,
                                             Cancellation cancel) {
        return SessionLease.resolve(server, ai, lease).compose(id -> campaignWith(ai, name, id, value, ctx, cancel));
    }

    private Future<CampaignResponse> campaignWith(AuthInfo ai, ByteString name, long lease, ByteString value, Context ctx,
                                                  Cancellation cancel) {
        ByteString prefix = ContenderKeys.prefix(name);
        ByteString key = ContenderKeys.key(prefix, lease);
        TxnRequest txn = TxnRequest.newBuilder()
            .addCompare(createdAt(key, 0))
            .addSuccess(RequestOp.newBuilder().setRequestPut(
                PutRequest.newBuilder().setKey(key).setValue(value).setLease(lease)))
            .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
            .build();
        return server.txn(ai, txn).compose(resp -> {
            long rev = resp.getHeader().getRevision();
            Future<Void> ready = Future.succeededFuture();
            if (!resp.getSucceeded()) {
                // This lease already campaigns: keep its place in the queue, refresh the value.
                KeyValue kv = resp.getResponses(0).getResponseRange().getKvs(0);
                rev = kv.getCreateRevision();
                if (!kv.getValue().equals(value)) {
                    long r = rev;
                    ready = proclaim(ai, key, r, lease, value).<Void>mapEmpty()
                        .recover(err -> resign(ai, key, r).transform(ignored -> Future.failedFuture(err)));
                }
            }
            long leaderRev = rev;
            LeaderKey leader = LeaderKey.newBuilder().setName(name).setKey(key).setRev(leaderRev).setLease(lease).build();
            return ready
                .compose(v -> Predecessors.waitGone(server, ai, ctx, prefix, leaderRev - 1, cancel)
                    .recover(err -> cancel.isCancelled()
                        // the caller went away: withdraw the candidacy (Election.Campaign does)
                        ? resign(ai, key, leaderRev).transform(ignored -> Future.failedFuture(err))
                        : Future.failedFuture(err)))
                // the header is the one of the campaign's own write, as in etcd
                .map(hdr -> CampaignResponse.newBuilder().setHeader(resp.getHeader()).setLeader(leader).build());
        });
    }

    public Future<ProclaimResponse> proclaim(AuthInfo ai, LeaderKey leader, ByteString value) {
        return SessionLease.resolve(server, ai, leader.getLease())
            .compose(lease -> proclaim(ai, leader.getKey(), leader.getRev(), lease, value))
            .map(r -> ProclaimResponse.newBuilder().setHeader(r.getHeader()).build());
    }

    private Future<TxnResponse> proclaim(AuthInfo ai, ByteString key, long rev, long lease, ByteString value) {
        TxnRequest txn = TxnRequest.newBuilder()
            .addCompare(createdAt(key, rev))
            .addSuccess(RequestOp.newBuilder().setRequestPut(
                PutRequest.newBuilder().setKey(key).setValue(value).setLease(lease)))
            .build();
        return server.txn(ai, txn).compose(r -> r.getSucceeded() ? Future.succeededFuture(r)
            : Future.failedFuture(ConcurrencyError.NOT_LEADER.exception()));
    }

    /** Resign deletes the leader key if it is still that leadership; otherwise it quietly succeeds. */
    public Future<ResignResponse> resign(AuthInfo ai, LeaderKey leader) {
        return SessionLease.resolve(server, ai, leader.getLease())
            .compose(lease -> resign(ai, leader.getKey(), leader.getRev()))
            .map(r -> ResignResponse.newBuilder().setHeader(r.getHeader()).build());
    }

    private Future<TxnResponse> resign(AuthInfo ai, ByteString key, long rev) {
        return server.txn(ai, TxnRequest.newBuilder()
            .addCompare(createdAt(key, rev))
            .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)))
            .build());
    }

    public Future<LeaderResponse> leader(AuthInfo ai, ByteString name) {
        return server.range(ai, ContenderKeys.firstCreated(ContenderKeys.prefix(name))).compose(r -> r.getKvsCount() == 0
            ? Future.failedFuture(ConcurrencyError.NO_LEADER.exception())
            : Future.succeededFuture(LeaderResponse.newBuilder().setHeader(r.getHeader()).setKv(r.getKvs(0)).build()));
    }

    private static Compare createdAt(ByteString key, long rev) {
        return Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
            .setResult(Compare.CompareResult.EQUAL).setCreateRevision(rev).build();
    }
}
