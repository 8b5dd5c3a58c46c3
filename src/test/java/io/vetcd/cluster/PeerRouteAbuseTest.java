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

            HttpResponse<String> wrongCluster = http.send(HttpRequest.newBuilder(URI.create(raft))
                .header("X-Etcd-Cluster-ID", "deadbeef").header("X-Server-From", from)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{0, 0, 0, 1, 7})).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(412, wrongCluster.statusCode());

            HttpResponse<String> garbage = http.send(HttpRequest.newBuilder(URI.create(raft))
                .header("X-Etcd-Cluster-ID", cid).header("X-Server-From", from)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{0, 0, 0, 9, 1, 2, 3})).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, garbage.statusCode());

            HttpResponse<String> stranger = http.send(HttpRequest.newBuilder(URI.create(raft))
                .header("X-Etcd-Cluster-ID", cid).header("X-Server-From", "1234")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[0])).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(410, stranger.statusCode());

            // a snapshot cut short: a plausible message header, then a truncated archive
            byte[] truncated = new byte[]{0, 0, 0, 3, 10, 0, 1, 'V', 'S', 'N'};
            HttpResponse<String> badSnapshot = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.peerPort + "/raft/snapshot"))
                .header("X-Etcd-Cluster-ID", cid).header("X-Server-From", from)
                .POST(HttpRequest.BodyPublishers.ofByteArray(truncated)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, badSnapshot.statusCode());

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

    private static HttpRequest streamDial(String url, String cid, String from, String to) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(10))
            .header("X-Etcd-Cluster-ID", cid).header("X-Server-From", from).header("X-Raft-To", to)
            .header("X-Server-Version", "3.4.23").GET().build();
    }

    private static HttpResponse<String> dial(HttpClient http, String url, String cid, String from, String to) throws Exception {
        return http.send(streamDial(url, cid, from, to), HttpResponse.BodyHandlers.ofString());
    }
}
