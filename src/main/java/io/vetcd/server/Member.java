package io.vetcd.server;

import java.util.List;

/** A cluster member as etcd describes it: id, name, peer and client URLs, learner flag. */
public record Member(long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {
    public Member {
        peerUrls = List.copyOf(peerUrls);
        clientUrls = List.copyOf(clientUrls);
    }

    public io.vetcd.pb.etcdserver.Member toProto() {
        return io.vetcd.pb.etcdserver.Member.newBuilder()
            .setID(id).setName(name).addAllPeerURLs(peerUrls).addAllClientURLs(clientUrls)
            .setIsLearner(learner).build();
    }
}
