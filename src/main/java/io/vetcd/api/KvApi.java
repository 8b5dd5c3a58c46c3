package io.vetcd.api;

import io.vertx.core.Future;
import io.vetcd.pb.etcdserver.CompactionRequest;
import io.vetcd.pb.etcdserver.CompactionResponse;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.DeleteRangeResponse;
import io.vetcd.pb.etcdserver.KVService;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.PutResponse;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.server.EtcdServer;

/** etcdserverpb.KV over gRPC: a thin shell over {@link EtcdServer}. */
public final class KvApi extends KVService {
    private final EtcdServer server;

    public KvApi(EtcdServer server) {
        this.server = server;
    }

    @Override
    public Future<RangeResponse> range(RangeRequest r) {
        return server.range(r).recover(GrpcErrors::fail);
    }

    /** Range answered in chunks from a pinned view ({@link StreamedRange}, {@link JsonRangeStream}). */
    public Future<io.vetcd.mvcc.RangeView> openRange(RangeRequest r) {
        return server.openRange(r).recover(GrpcErrors::fail);
    }

    EtcdServer server() {
        return server;
    }

    @Override
    public Future<PutResponse> put(PutRequest r) {
        return server.put(r).recover(GrpcErrors::fail);
    }

    @Override
    public Future<DeleteRangeResponse> deleteRange(DeleteRangeRequest r) {
        return server.deleteRange(r).recover(GrpcErrors::fail);
    }

    @Override
    public Future<TxnResponse> txn(TxnRequest r) {
        return server.txn(r).recover(GrpcErrors::fail);
    }

    @Override
    public Future<CompactionResponse> compact(CompactionRequest r) {
        return server.compact(r).recover(GrpcErrors::fail);
    }
}
