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
        try {
            server.auth().checkAdmin(ai);
            return Future.succeededFuture();
        } catch (io.vetcd.auth.AuthException e) {
            return GrpcErrors.fail(io.vetcd.server.EtcdError.of(e));
        }
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

    Future<HashKVResponse> hashKV(HashKVRequest r) {
        return server.hashKV(r.getRevision()).recover(GrpcErrors::fail);
    }

    Future<DefragmentResponse> defragment(DefragmentRequest r) {
        return server.defragment()
            .map(v -> DefragmentResponse.newBuilder().setHeader(server.header()).build())
            .recover(GrpcErrors::fail);
    }

    Future<MoveLeaderResponse> moveLeader(MoveLeaderRequest r) {
        return server.moveLeader(r.getTargetID())
            .map(v -> MoveLeaderResponse.newBuilder().setHeader(server.header()).build())
            .recover(GrpcErrors::fail);
    }

    public Future<AlarmResponse> alarm(AuthInfo ai, AlarmRequest r) {
        return server.alarm(ai, r).recover(GrpcErrors::fail);
    }
}
