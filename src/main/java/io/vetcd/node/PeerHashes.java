package io.vetcd.node;

import io.vertx.core.Future;
import io.vetcd.api.MaintenanceApi;
import io.vetcd.pb.etcdserver.HashKVRequest;
import io.vetcd.pb.etcdserver.HashKVResponse;
import io.vetcd.server.CorruptionCheck;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.Member;
import io.vetcd.transport.PeerSender;

/**
 * The hashes the corruption checks compare: this member's HashKV (etcd's hash) and a peer's, from its
 * peer {@code /members/hashkv} route, as etcd 3.4.23 asks them.
 */
final class PeerHashes implements CorruptionCheck.Hashes {
    private final EtcdServer server;
    private final PeerSender peers;
    private final long timeoutMs;

    PeerHashes(EtcdServer server, PeerSender peers, long timeoutMs) {
        this.server = server;
        this.peers = peers;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public Future<HashKVResponse> local(long revision) {
        return new MaintenanceApi(server).hashKV(HashKVRequest.newBuilder().setRevision(revision).build());
    }

    @Override
    public Future<HashKVResponse> peer(Member m, long revision) {
        return peers.hashKV(m, revision, timeoutMs);
    }
}
