package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.etcdserver.CompactionRequest;
import io.vetcd.pb.etcdserver.CompactionResponse;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.DeleteRangeResponse;
import io.vetcd.pb.etcdserver.KVGrpcService;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.PutResponse;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.server.EtcdServer;

/** etcdserverpb.KV over gRPC: a thin shell over {@link EtcdServer}, acting for the caller. */
public final class KvApi {
    private final EtcdServer server;

    public KvApi(EtcdServer server) {
        this.server = server;
    }

    public void bind(GrpcServer grpc, Callers callers) {
        // Range answers are written in chunks as the store is scanned (StreamedRange)
        new StreamedRange(this, callers).bind(grpc);
        AuthedCalls.unary(grpc, callers, KVGrpcService.Put, this::put);
        AuthedCalls.unary(grpc, callers, KVGrpcService.DeleteRange, this::deleteRange);
        AuthedCalls.unary(grpc, callers, KVGrpcService.Txn, this::txn);
        AuthedCalls.unary(grpc, callers, KVGrpcService.Compact, this::compact);
    }

    public Future<RangeResponse> range(AuthInfo ai, RangeRequest r) {
        return server.range(ai, r).recover(GrpcErrors::fail);
    }

    /** Range answered in chunks from a pinned view ({@link StreamedRange}, {@link JsonRangeStream}). */
    public Future<io.vetcd.mvcc.RangeView> openRange(AuthInfo ai, RangeRequest r) {
        return server.openRange(ai, r).recover(GrpcErrors::fail);
    }

    EtcdServer server() {
        return server;
    }

    public Future<PutResponse> put(AuthInfo ai, PutRequest r) {
        return server.put(ai, r).recover(GrpcErrors::fail);
    }

    public Future<DeleteRangeResponse> deleteRange(AuthInfo ai, DeleteRangeRequest r) {
        return server.deleteRange(ai, r).recover(GrpcErrors::fail);
    }

    public Future<TxnResponse> txn(AuthInfo ai, TxnRequest r) {
        return server.txn(ai, r).recover(GrpcErrors::fail);
    }

    public Future<CompactionResponse> compact(AuthInfo ai, CompactionRequest r) {
        return server.compact(ai, r).recover(GrpcErrors::fail);
    }
}
