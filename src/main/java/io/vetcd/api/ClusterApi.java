package io.vetcd.api;

import io.vertx.core.Future;
import io.vetcd.pb.etcdserver.ClusterService;
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
public final class ClusterApi extends ClusterService {
    private final EtcdServer server;

    public ClusterApi(EtcdServer server) {
        this.server = server;
    }

    @Override
    public Future<MemberListResponse> memberList(MemberListRequest r) {
        MemberListResponse.Builder b = MemberListResponse.newBuilder().setHeader(clusterHeader());
        for (Member m : server.members()) b.addMembers(m.toProto());
        return Future.succeededFuture(b.build());
    }

    @Override
    public Future<MemberAddResponse> memberAdd(MemberAddRequest r) {
        return server.memberChanges().add(r.getPeerURLsList(), r.getIsLearner())
            .map(a -> MemberAddResponse.newBuilder().setHeader(clusterHeader())
                .setMember(a.member().toProto()).addAllMembers(MemberChanges.toProto(a.members())).build())
            .recover(GrpcErrors::fail);
    }

    @Override
    public Future<MemberRemoveResponse> memberRemove(MemberRemoveRequest r) {
        return server.memberChanges().remove(r.getID())
            .map(ms -> MemberRemoveResponse.newBuilder().setHeader(clusterHeader()).addAllMembers(MemberChanges.toProto(ms)).build())
            .recover(GrpcErrors::fail);
    }

    @Override
    public Future<MemberUpdateResponse> memberUpdate(MemberUpdateRequest r) {
        return server.memberChanges().update(r.getID(), r.getPeerURLsList())
            .map(ms -> MemberUpdateResponse.newBuilder().setHeader(clusterHeader()).addAllMembers(MemberChanges.toProto(ms)).build())
            .recover(GrpcErrors::fail);
    }

    @Override
    public Future<MemberPromoteResponse> memberPromote(MemberPromoteRequest r) {
        return server.memberChanges().promote(r.getID())
            .map(ms -> MemberPromoteResponse.newBuilder().setHeader(clusterHeader()).addAllMembers(MemberChanges.toProto(ms)).build())
            .recover(GrpcErrors::fail);
    }

    /** etcd's cluster server fills cluster id, member id and raft term, never a revision. */
    private io.vetcd.pb.etcdserver.ResponseHeader clusterHeader() {
        return server.header().toBuilder().clearRevision().build();
    }
}
