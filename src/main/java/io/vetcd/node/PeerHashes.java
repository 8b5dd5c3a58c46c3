package io.vetcd.node;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vetcd.api.MaintenanceApi;
import io.vetcd.pb.etcdserver.HashKVRequest;
import io.vetcd.pb.etcdserver.HashKVResponse;
import io.vetcd.pb.etcdserver.MaintenanceGrpcClient;
import io.vetcd.server.CorruptionCheck;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.Member;

import java.net.URI;

/**
 * The hashes the corruption checks compare: this member's HashKV (etcd's hash) and a peer's, asked
 * over the peer's client URL with a gRPC HashKV call, as etcd 3.4 does; over https the peer's
 * certificate is not verified (the cluster's members are known) and ours is presented.
 */
final class PeerHashes implements CorruptionCheck.Hashes {
    private final EtcdServer server;
    private final GrpcClient plain;
    private final GrpcClient tls;

    PeerHashes(Vertx vertx, EtcdServer server, ListenerTls peerTls) {
        this.server = server;
        HttpClientOptions base = new HttpClientOptions().setConnectTimeout(2000).setIdleTimeout(30);
        this.plain = GrpcClient.client(vertx, new HttpClientOptions(base));
        HttpClientOptions secure = new HttpClientOptions(base).setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false);
        if (peerTls != null && peerTls.clientCertificate() != null) secure.setKeyCertOptions(peerTls.clientCertificate());
        this.tls = GrpcClient.client(vertx, secure);
    }

    @Override
    public Future<HashKVResponse> local(long revision) {
        return new MaintenanceApi(server).hashKV(HashKVRequest.newBuilder().setRevision(revision).build());
    }

    @Override
    public Future<HashKVResponse> peer(Member m, long revision) {
        URI u = URI.create(m.clientUrls().get(0));
        boolean https = "https".equals(u.getScheme());
        if (!https && !"http".equals(u.getScheme())) return Future.failedFuture("client URL " + u + " is not http(s)");
        MaintenanceGrpcClient c = MaintenanceGrpcClient.create(https ? tls : plain,
            SocketAddress.inetSocketAddress(u.getPort(), u.getHost()));
        return c.hashKV(HashKVRequest.newBuilder().setRevision(revision).build()).timeout(5, java.util.concurrent.TimeUnit.SECONDS);
    }
}
