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

/** A peer with the wrong cluster id, or sending garbage, is refused and the member keeps serving. */
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

            Cli.Result put = Cli.etcdctl(m.endpoint(), "put", "still", "serving");
            assertEquals(0, put.exitCode(), put.output());
            assertTrue(Cli.etcdctl(cluster.members.get(2).endpoint(), "get", "still").output().contains("serving"));
        }
    }
}
