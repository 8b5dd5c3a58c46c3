package io.vetcd.transport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vetcd.metrics.NetworkMetrics;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import io.vetcd.testing.Cli;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peer wire against a real etcd 3.4 (Debian's etcd-server; skipped without it): a member is
 * added to a one-member etcd cluster and played by our transport's pieces alone (no raft, no
 * store), so everything asserted is the wire: etcd's /members parses; etcd dials our stream route
 * with its headers and we accept (both stream types); we dial etcd's streams with ours and etcd
 * accepts, and what it writes on them (message frames, msgappv2) decodes into raft messages from
 * the leader; etcd's pipeline POSTs decode; etcd takes our POST /raft with 204.
 */
class RealEtcdPeerWireTest {
    @Test
    void streamsConnectBothWaysAndMessagesDecode() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "needs etcd-server and etcd-client");
        Vertx vertx = Vertx.vertx();
        ServerProcess etcd = ServerProcess.realEtcd();
        try {
            int ourPeerPort = Ports.free();
            String ourUrl = "http://127.0.0.1:" + ourPeerPort;
            Cli.Result add = Cli.etcdctl(etcd.endpoint(), "member", "add", "wire", "--peer-urls", ourUrl);
            assertEquals(0, add.exitCode(), add.output());
            Matcher mm = Pattern.compile("Member\\s+([0-9a-f]+) added to cluster\\s+([0-9a-f]+)").matcher(add.output());
            assertTrue(mm.find(), add.output());
            long ourId = Long.parseUnsignedLong(mm.group(1), 16);
            long clusterId = Long.parseUnsignedLong(mm.group(2), 16);

            // etcd's /members: unsigned numeric ids, the cluster id in a header
            RemoteMembership.Remote remote = RemoteMembership.fetch(List.of("http://127.0.0.1:" + etcd.peerPort));
            assertEquals(clusterId, remote.clusterId());
            assertEquals(2, remote.members().size());
            assertTrue(remote.members().stream().anyMatch(m -> m.id() == ourId && m.peerUrls().equals(List.of(ourUrl))));
            long etcdId = remote.members().stream().filter(m -> m.id() != ourId).findFirst().orElseThrow().id();
            Membership membership = new Membership(ourId, clusterId, remote.members());

            // our peer listener: the real stream route, and POST /raft decoded with our codec
            OutgoingStreams outgoing = new OutgoingStreams(ourId, NetworkMetrics.DETACHED, id -> { });
            List<Message> posted = new CopyOnWriteArrayList<>();
            Router router = Router.router(vertx);
            RaftStreamRoute route = new RaftStreamRoute(membership, outgoing);
            router.get("/raft/stream/:type/:from").handler(route::handle);
            router.post("/raft").handler(ctx -> ctx.request().body().onSuccess(b -> {
                posted.add(EtcdRaftMessageCodec.decode(b.getBytes()));
                ctx.response().setStatusCode(204).end();
            }));
            vertx.createHttpServer().requestHandler(router).listen(ourPeerPort, "127.0.0.1").await();

            await("etcd dials both our streams and we accept", () ->
                outgoing.isUp(etcdId, StreamType.MESSAGE) && outgoing.isUp(etcdId, StreamType.MSGAPP), etcd);

            // we dial etcd's streams as a member does
            HttpClient client = vertx.createHttpClient();
            List<Message> received = new CopyOnWriteArrayList<>();
            for (StreamType type : StreamType.values()) {
                RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(etcd.peerPort)
                    .setURI(type.path(ourId))
                    .putHeader(PeerHeaders.CLUSTER_ID, Long.toHexString(clusterId))
                    .putHeader(PeerHeaders.FROM, Long.toHexString(ourId))
                    .putHeader(PeerHeaders.VERSION, io.vetcd.server.EtcdServer.VERSION)
                    .putHeader(PeerHeaders.MIN_CLUSTER_VERSION, PeerHeaders.MIN_CLUSTER_VERSION_VALUE)
                    .putHeader(PeerHeaders.RAFT_TO, Long.toHexString(etcdId));
                PeerHeaders.putPeerUrls(o, membership);
                HttpClientResponse resp = client.request(o).compose(r -> r.send()).await();
                assertEquals(200, resp.statusCode(), type + " stream refused by etcd");
                StreamDecoder decoder = StreamDecoder.of(type, ourId, etcdId, received::add);
                resp.handler(decoder::feed);
            }
            await("raft messages from etcd's leader on the streams or the pipeline", () ->
                received.stream().anyMatch(m -> m.from() == etcdId && m.to() == ourId && m.term() > 0)
                    || posted.stream().anyMatch(m -> m.from() == etcdId && m.to() == ourId), etcd);
            Message fromEtcd = received.stream().filter(m -> m.from() == etcdId).findFirst()
                .orElseGet(() -> posted.get(0));

            // our POST /raft: one raftpb.Message, etcd's headers; etcd answers 204
            Message resp = Message.of(MessageType.MsgHeartbeatResp).from(ourId).to(etcdId).term(fromEtcd.term()).build();
            java.net.http.HttpClient jdk = java.net.http.HttpClient.newHttpClient();
            HttpResponse<String> r = jdk.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + etcd.peerPort + "/raft"))
                .header("Content-Type", "application/protobuf")
                .header(PeerHeaders.FROM, Long.toHexString(ourId))
                .header(PeerHeaders.VERSION, io.vetcd.server.EtcdServer.VERSION)
                .header(PeerHeaders.MIN_CLUSTER_VERSION, PeerHeaders.MIN_CLUSTER_VERSION_VALUE)
                .header(PeerHeaders.CLUSTER_ID, Long.toHexString(clusterId))
                .POST(HttpRequest.BodyPublishers.ofByteArray(EtcdRaftMessageCodec.encode(resp))).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(204, r.statusCode(), r.body());
            outgoing.close();
        } finally {
            etcd.close();
            vertx.close().await();
        }
    }

    private static void await(String what, BooleanSupplier ok, ServerProcess etcd) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting: " + what + "\netcd:\n" + etcd.output());
            Thread.sleep(50);
        }
    }
}
