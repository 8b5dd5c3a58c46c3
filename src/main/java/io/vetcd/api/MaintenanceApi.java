package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.etcdserver.MaintenanceGrpcService;
import io.vertx.core.Vertx;
import io.vetcd.etcdformat.BackendHash;
import io.vetcd.etcdformat.EtcdBackendExport;
import io.vetcd.pb.etcdserver.HashRequest;
import io.vetcd.pb.etcdserver.HashResponse;
import java.nio.file.Path;
import java.util.UUID;
import io.vetcd.pb.etcdserver.AlarmRequest;
import io.vetcd.pb.etcdserver.AlarmResponse;
import io.vetcd.pb.etcdserver.DefragmentRequest;
import io.vetcd.pb.etcdserver.DefragmentResponse;
import io.vetcd.pb.etcdserver.HashKVRequest;
import io.vetcd.pb.etcdserver.HashKVResponse;
import io.vetcd.pb.etcdserver.MoveLeaderRequest;
import io.vetcd.pb.etcdserver.MoveLeaderResponse;
import io.vetcd.pb.etcdserver.StatusRequest;
import io.vetcd.pb.etcdserver.StatusResponse;
import io.vetcd.server.EtcdServer;

/**
 * etcdserverpb.Maintenance: status, hash, hashkv, defragment, alarm listing and
 * MoveLeader. Snapshot is a streaming call of its own ({@link SnapshotApi}).
 */
public final class MaintenanceApi {
    private final EtcdServer server;

    public MaintenanceApi(EtcdServer server) {
        this.server = server;
    }

    public void bind(GrpcServer grpc, Callers callers) {
        AuthedCalls.unary(grpc, callers, MaintenanceGrpcService.Status, (ai, r) -> admin(ai).compose(v -> status(r)));
        AuthedCalls.unary(grpc, callers, MaintenanceGrpcService.Hash, (ai, r) -> adminRaw(server, ai).compose(v -> hash(r)));
        AuthedCalls.unary(grpc, callers, MaintenanceGrpcService.HashKV, (ai, r) -> adminRaw(server, ai).compose(v -> hashKV(r)));
        AuthedCalls.unary(grpc, callers, MaintenanceGrpcService.Defragment, (ai, r) -> adminRaw(server, ai).compose(v -> defragment(r)));
        AuthedCalls.unary(grpc, callers, MaintenanceGrpcService.MoveLeader, (ai, r) -> admin(ai).compose(v -> moveLeader(r)));
        AuthedCalls.unary(grpc, callers, MaintenanceGrpcService.Alarm, this::alarm);
    }

    /**
     * etcd's Defragment, Snapshot, Hash and HashKV hand the auth store's refusal to the client as it
     * is: gRPC code Unknown, text {@code auth: permission denied}. Clients see exactly that from etcd.
     */
    static Future<Void> adminRaw(EtcdServer server, AuthInfo ai) {
        try {
            server.auth().checkAdmin(ai);
            return Future.succeededFuture();
        } catch (io.vetcd.auth.AuthException e) {
            return Future.failedFuture(new io.vertx.grpc.server.StatusException(io.vertx.grpc.common.GrpcStatus.UNKNOWN, e.error().text));
        }
    }

    /**
     * etcd 3.4.45 lets only admins near maintenance when auth is on (3.4.23 left Status and
     * MoveLeader open). The gateway's status path checks the same way.
     */
    Future<Void> admin(AuthInfo ai) {
        return EtcdServer.allowed(() -> server.auth().checkAdmin(ai)).recover(GrpcErrors::fail);
    }

    public Future<StatusResponse> status(StatusRequest r) {
        return server.status().recover(GrpcErrors::fail);
    }

    /**
     * etcd hashes its bbolt backend; we hash the same buckets as our snapshot writes them, so two
     * members with the same data agree (and agree with etcd's layout). Costs a full export.
     */
    Future<HashResponse> hash(HashRequest r) {
        Path memberDir = server.store().directory().getParent();
        return Vertx.currentContext().owner().executeBlocking(() -> {
            BackendHash h = new BackendHash();
            long rev = EtcdBackendExport.write(server.store(), server.members(), memberDir.resolve(
                "hash." + UUID.randomUUID() + ".sort"), h);
            return HashResponse.newBuilder().setHeader(server.header(rev)).setHash(h.value()).build();
        }, false).recover(GrpcErrors::fail);
    }

    /** HashKV as etcd computes it (also what the corruption checks compare). */
    public Future<HashKVResponse> hashKV(HashKVRequest r) {
        // revision and compaction checks and the header from the store; the hash as etcd computes it
        // over its key bucket (a full export, like Hash), so it can be compared with etcd members
        Path memberDir = server.store().directory().getParent();
        return server.hashKV(r.getRevision()).compose(resp -> Vertx.currentContext().owner().executeBlocking(() -> {
            long at = resp.getHeader().getRevision();
            java.util.Set<java.nio.ByteBuffer> later = new java.util.HashSet<>();
            if (resp.getCompactRevision() > 0) { // which compacted keys have newer revisions: a first pass
                EtcdBackendExport.write(server.store(), server.members(), memberDir.resolve("hashkv." + UUID.randomUUID() + ".sort"),
                    io.vetcd.etcdformat.KeyBucketHash.laterKeys(at, resp.getCompactRevision(), later));
            }
            io.vetcd.etcdformat.KeyBucketHash h = new io.vetcd.etcdformat.KeyBucketHash(at, resp.getCompactRevision(), later);
            long current = EtcdBackendExport.write(server.store(), server.members(),
                memberDir.resolve("hashkv." + UUID.randomUUID() + ".sort"), h);
            // etcd's header carries the store's current revision, not the one hashed
            return resp.toBuilder().setHash(h.value()).setHeader(resp.getHeader().toBuilder().setRevision(current)).build();
        }, false)).recover(GrpcErrors::fail);
    }

    Future<DefragmentResponse> defragment(DefragmentRequest r) {
        return server.defragment()
            .map(v -> DefragmentResponse.getDefaultInstance()) // etcd answers without a header
            .recover(GrpcErrors::fail);
    }

    Future<MoveLeaderResponse> moveLeader(MoveLeaderRequest r) {
        return server.moveLeader(r.getTargetID())
            .map(v -> MoveLeaderResponse.getDefaultInstance()) // etcd answers without a header
            .recover(GrpcErrors::fail);
    }

    public Future<AlarmResponse> alarm(AuthInfo ai, AlarmRequest r) {
        // etcd passes the applier's answer through, which has no header
        return server.alarm(ai, r).map(a -> a.toBuilder().clearHeader().build()).recover(GrpcErrors::fail);
    }
}
