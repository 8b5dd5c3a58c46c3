package io.vetcd.api;

import io.vertx.core.Future;
import io.vetcd.pb.etcdserver.ClusterService;
import io.vetcd.pb.etcdserver.MemberListRequest;
import io.vetcd.pb.etcdserver.MemberListResponse;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.Member;

/** etcdserverpb.Cluster: member list; membership changes arrive with multi-member clusters. */
public final class ClusterApi extends ClusterService {
    private final EtcdServer server;

    public ClusterApi(EtcdServer server) {
        this.server = server;
    }

    @Override
    public Future<MemberListResponse> memberList(MemberListRequest r) {
        MemberListResponse.Builder b = MemberListResponse.newBuilder().setHeader(server.header());
        for (Member m : server.members()) b.addMembers(m.toProto());
        return Future.succeededFuture(b.build());
    }
}
