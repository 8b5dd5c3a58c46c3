package io.vetcd.cluster;

import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmCluster;
import io.vetcd.testing.InJvmMember;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A peer with the wrong cluster id, or sending garbage, or dialing a stream it should not, is refused and the member keeps serving. */
class PeerRouteAbuseTest {
    @Test
    void wrongClusterIdAndGarbageAreRefused() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl"));
        try (InJvmCluster cluster = InJvmCluster.start(3)) {
            InJvmMember m = cluster.members.get(0);
            HttpClient http = HttpClient.newHttpClient();
            String raft = "http://127.0.0.1:" + m.peerPort + "/raft";
            String cid = Long.toHexString(m.node.server().clusterId());
            String from = Long.toHexString(cluster.members.get(1).node.server().memberId());

            HttpResponse<String> wrongCluster = http.send(post(raft, "deadbeef", from, new byte[]{8, 8}), HttpResponse.BodyHandlers.ofString());
            assertEquals(412, wrongCluster.statusCode());
            assertEquals("cluster ID mismatch\n", wrongCluster.body(), "etcd's exact text: an etcd sender matches it");

            HttpResponse<String> noVersion = http.send(HttpRequest.newBuilder(URI.create(raft))
                .header("X-Etcd-Cluster-ID", cid).header("X-Server-From", from)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{8, 8})).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(412, noVersion.statusCode(), "no X-Server-Version means 2.0.0, too old, as in etcd");
            assertEquals("incompatible version\n", noVersion.body());

            HttpResponse<String> garbage = http.send(post(raft, cid, from, new byte[]{(byte) 0xff, 1, 2, 3}), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, garbage.statusCode());

            // a message from a member we do not know is accepted and dropped (etcd's 403/410 would make the sender stop itself)
            byte[] strangers = io.vetcd.transport.EtcdRaftMessageCodec.encode(io.vetcd.raft.Message.of(io.vetcd.raft.MessageType.MsgHeartbeat)
                .from(0x1234).to(m.node.server().memberId()).term(99).build());
            assertEquals(204, http.send(post(raft, cid, "1234", strangers), HttpResponse.BodyHandlers.ofString()).statusCode());

            // a merged snapshot whose message is not a MsgSnap, and one whose database is cut short
            String snapshot = "http://127.0.0.1:" + m.peerPort + "/raft/snapshot";
            byte[] notSnap = frame(strangers);
            assertEquals(400, http.send(post(snapshot, cid, from, notSnap), HttpResponse.BodyHandlers.ofString()).statusCode());
            byte[] snapMsg = io.vetcd.transport.EtcdRaftMessageCodec.encode(io.vetcd.raft.Message.of(io.vetcd.raft.MessageType.MsgSnap)
                .from(Long.parseUnsignedLong(from, 16)).to(m.node.server().memberId()).term(1)
                .snapshot(new io.vetcd.raft.Snapshot(new io.vetcd.raft.SnapshotMetadata(5, 1, io.vetcd.raft.ConfState.ofVoters(1)), null)).build());
            byte[] head = frame(snapMsg);
            byte[] truncated = java.util.Arrays.copyOf(head, head.length + 3);
            truncated[head.length] = 'V';
            truncated[head.length + 1] = 'S';
            truncated[head.length + 2] = 'N';
            HttpResponse<String> badSnapshot = http.send(post(snapshot, cid, from, truncated), HttpResponse.BodyHandlers.ofString());
            assertEquals(500, badSnapshot.statusCode(), "etcd: failed to save KV snapshot");

            // raft streams: checked as etcd's stream handler checks them
            String local = Long.toHexString(m.node.server().memberId());
            String stream = "http://127.0.0.1:" + m.peerPort + "/raft/stream/";
            assertEquals(412, dial(http, stream + "message/" + from, "deadbeef", from, local).statusCode(), "wrong cluster id");
            assertEquals(404, dial(http, stream + "message/1234", cid, "1234", local).statusCode(), "unknown member");
            assertEquals(404, dial(http, stream + "message/not-hex", cid, "zz", local).statusCode(), "garbage member id");
            assertEquals(404, dial(http, stream + "msgappv9/" + from, cid, from, local).statusCode(), "unknown stream type");
            assertEquals(412, dial(http, stream + "msgapp/" + from, cid, from, "1234").statusCode(), "wrong X-Raft-To");
            // a well-formed dial is accepted at once (and replaces the member's real stream, which redials)
            HttpResponse<java.io.InputStream> ok = http.send(streamDial(stream + "message/" + from, cid, from, local),
                HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, ok.statusCode());
            assertEquals(cid, ok.headers().firstValue("X-Etcd-Cluster-ID").orElse(""));
            ok.body().close();

            Cli.Result put = Cli.etcdctl(m.endpoint(), "put", "still", "serving");
            assertEquals(0, put.exitCode(), put.output());
            assertTrue(Cli.etcdctl(cluster.members.get(2).endpoint(), "get", "still").output().contains("serving"));
        }
    }

    /**
     * A removed member is told so, as etcd tells it: 410 "removed member" on a stream dial, 403 on a
     * posted message; and the member itself learns of its removal once it applies it.
     */
    @Test
    void aRemovedMemberIsRefusedAndLearnsIt() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl"));
        try (InJvmCluster cluster = InJvmCluster.start(3)) {
            InJvmMember m = cluster.members.get(0);
            InJvmMember gone = cluster.members.get(2);
            java.util.concurrent.CompletableFuture<String> learnt = new java.util.concurrent.CompletableFuture<>();
            gone.node.onRemoved(learnt::complete);
            String cid = Long.toHexString(m.node.server().clusterId());
            String local = Long.toHexString(m.node.server().memberId());
            String removed = Long.toHexString(gone.node.server().memberId());
            Cli.Result rm = Cli.etcdctl(m.endpoint(), "member", "remove", removed);
            assertEquals(0, rm.exitCode(), rm.output());
            assertTrue(learnt.get(20, java.util.concurrent.TimeUnit.SECONDS).contains("applied its own removal"));

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> dialed = dial(http, "http://127.0.0.1:" + m.peerPort + "/raft/stream/message/" + removed, cid, removed, local);
            assertEquals(410, dialed.statusCode());
            assertEquals("removed member\n", dialed.body(), "etcd's text");
            byte[] heartbeat = io.vetcd.transport.EtcdRaftMessageCodec.encode(io.vetcd.raft.Message.of(io.vetcd.raft.MessageType.MsgHeartbeat)
                .from(gone.node.server().memberId()).to(m.node.server().memberId()).term(99).build());
            HttpResponse<String> posted = http.send(post("http://127.0.0.1:" + m.peerPort + "/raft", cid, removed, heartbeat),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(403, posted.statusCode());
            assertEquals("cannot process message from removed member\n", posted.body());
            // a snapshot from it is read to the end (etcd saves it first) and refused the same way
            byte[] snapFromRemoved = frame(io.vetcd.transport.EtcdRaftMessageCodec.encode(io.vetcd.raft.Message.of(io.vetcd.raft.MessageType.MsgSnap)
                .from(gone.node.server().memberId()).to(m.node.server().memberId()).term(99)
                .snapshot(new io.vetcd.raft.Snapshot(new io.vetcd.raft.SnapshotMetadata(5, 1, io.vetcd.raft.ConfState.ofVoters(1)), null)).build()));
            byte[] withDb = java.util.Arrays.copyOf(snapFromRemoved, snapFromRemoved.length + 4096);
            HttpResponse<String> snapshotPosted = http.send(post("http://127.0.0.1:" + m.peerPort + "/raft/snapshot", cid, removed, withDb),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(403, snapshotPosted.statusCode());
            assertEquals("cannot process message from removed member\n", snapshotPosted.body());
            // the others still serve, and a stranger still gets the unknown member's answer
            assertEquals(404, dial(http, "http://127.0.0.1:" + m.peerPort + "/raft/stream/message/1234", cid, "1234", local).statusCode());
            // (when the removed member was the leader, the others elect a new one first: as in etcd, a put
            // forwarded to the old leader in that window times out, so the client tries again)
            Cli.Result put = Cli.etcdctlUntilOk(m.endpoint(), 5, 200, "put", "after", "removal");
            assertEquals(0, put.exitCode(), put.output());
        }
    }

    private static HttpRequest post(String url, String cid, String from, byte[] body) {
        return HttpRequest.newBuilder(URI.create(url)).header("X-Etcd-Cluster-ID", cid).header("X-Server-From", from)
            .header("X-Server-Version", "3.4.23").header("X-Min-Cluster-Version", "3.0.0")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** etcd's messageEncoder frame: 8-byte length, then the message. */
    private static byte[] frame(byte[] message) {
        return java.nio.ByteBuffer.allocate(8 + message.length).putLong(message.length).put(message).array();
    }

    private static HttpRequest streamDial(String url, String cid, String from, String to) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(10))
            .header("X-Etcd-Cluster-ID", cid).header("X-Server-From", from).header("X-Raft-To", to)
            .header("X-Server-Version", "3.4.23").GET().build();
    }

    private static HttpResponse<String> dial(HttpClient http, String url, String cid, String from, String to) throws Exception {
        return http.send(streamDial(url, cid, from, to), HttpResponse.BodyHandlers.ofString());
    }
}
