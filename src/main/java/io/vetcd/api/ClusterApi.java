package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.etcdserver.ClusterGrpcService;
import io.vetcd.pb.etcdserver.MemberAddRequest;
import io.vetcd.pb.etcdserver.MemberAddResponse;
import io.vetcd.pb.etcdserver.MemberListRequest;
import io.vetcd.pb.etcdserver.MemberListResponse;
import io.vetcd.pb.etcdserver.MemberPromoteRequest;
import io.vetcd.pb.etcdserver.MemberPromoteResponse;
import io.vetcd.pb.etcdserver.MemberRemoveRequest;
import io.vetcd.pb.etcdserver.MemberRemoveResponse;
import io.vetcd.pb.etcdserver.MemberUpdateRequest;
import io.vetcd.pb.etcdserver.MemberUpdateResponse;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.Member;
import io.vetcd.server.MemberChanges;

/** etcdserverpb.Cluster: list and change the cluster's members with etcd's rules and errors. */
public final class ClusterApi {
    private final EtcdServer server;

    public ClusterApi(EtcdServer server) {
        this.server = server;
    }

    public void bind(GrpcServer grpc, Callers callers) {
        AuthedCalls.unary(grpc, callers, ClusterGrpcService.MemberList, this::memberList);
        AuthedCalls.unary(grpc, callers, ClusterGrpcService.MemberAdd, this::memberAdd);
        AuthedCalls.unary(grpc, callers, ClusterGrpcService.MemberRemove, this::memberRemove);
        AuthedCalls.unary(grpc, callers, ClusterGrpcService.MemberUpdate, this::memberUpdate);
        AuthedCalls.unary(grpc, callers, ClusterGrpcService.MemberPromote, this::memberPromote);
    }

    /** Membership changes are an admin's (etcd's checkMembershipOperationPermission). */
    private Future<Void> admin(AuthInfo ai) {
        return EtcdServer.allowed(() -> server.auth().checkAdmin(ai)).recover(GrpcErrors::fail);
    }

    public Future<MemberListResponse> memberList(AuthInfo ai, MemberListRequest r) {
        // etcd 3.4.45: listing members needs an authenticated user when auth is on
        Future<Void> ok = EtcdServer.allowed(() -> server.auth().checkAuthenticated(ai));
        if (ok.failed()) return GrpcErrors.fail(ok.cause());
        MemberListResponse.Builder b = MemberListResponse.newBuilder().setHeader(clusterHeader());
        for (Member m : server.members()) b.addMembers(m.toProto());
        return Future.succeededFuture(b.build());
    }

    public Future<MemberAddResponse> memberAdd(AuthInfo ai, MemberAddRequest r) {
        return admin(ai).compose(v -> server.memberChanges().add(r.getPeerURLsList(), r.getIsLearner())
            .map(a -> MemberAddResponse.newBuilder().setHeader(clusterHeader())
                .setMember(a.member().toProto()).addAllMembers(MemberChanges.toProto(a.members())).build()))
            .recover(GrpcErrors::fail);
    }

    public Future<MemberRemoveResponse> memberRemove(AuthInfo ai, MemberRemoveRequest r) {
        return admin(ai).compose(v -> server.memberChanges().remove(r.getID())
            .map(ms -> MemberRemoveResponse.newBuilder().setHeader(clusterHeader()).addAllMembers(MemberChanges.toProto(ms)).build()))
            .recover(GrpcErrors::fail);
    }

    public Future<MemberUpdateResponse> memberUpdate(AuthInfo ai, MemberUpdateRequest r) {
        return admin(ai).compose(v -> server.memberChanges().update(r.getID(), r.getPeerURLsList())
            .map(ms -> MemberUpdateResponse.newBuilder().setHeader(clusterHeader()).addAllMembers(MemberChanges.toProto(ms)).build()))
            .recover(GrpcErrors::fail);
    }

    public Future<MemberPromoteResponse> memberPromote(AuthInfo ai, MemberPromoteRequest r) {
        return admin(ai).compose(v -> server.memberChanges().promote(r.getID())
            .map(ms -> MemberPromoteResponse.newBuilder().setHeader(clusterHeader()).addAllMembers(MemberChanges.toProto(ms)).build()))
            .recover(GrpcErrors::fail);
    }

    /** etcd's cluster server fills cluster id, member id and raft term, never a revision. */
    private io.vetcd.pb.etcdserver.ResponseHeader clusterHeader() {
        return server.header().toBuilder().clearRevision().build();
    }
}
