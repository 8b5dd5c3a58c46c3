package io.vetcd.metrics;

import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmCluster;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three in-JVM members, each with its own registry: one leader, everyone sees it, peer traffic counted. */
class ClusterMetricsTest {
    @Test
    void oneLeaderAllHaveLeaderPeerBytesGrow() throws Exception {
        try (InJvmCluster c = InJvmCluster.start(3)) {
            long deadline = System.currentTimeMillis() + 20_000;
            while (c.leader() < 0 && System.currentTimeMillis() < deadline) Thread.sleep(100);
            List<Scrape> before = scrapeAll(c);
            double leaders = 0;
            for (Scrape s : before) {
                assertEquals(1.0, s.value("etcd_server_has_leader"));
                leaders += s.value("etcd_server_is_leader");
                assertEquals(0.0, s.value("etcd_server_is_learner"));
            }
            assertEquals(1.0, leaders);
            double sentBefore = peerBytes(before, "etcd_network_peer_sent_bytes_total");
            double receivedBefore = peerBytes(before, "etcd_network_peer_received_bytes_total");
            for (int i = 0; i < 5; i++) {
                assertEquals(0, Cli.etcdctl(c.members.get(0).endpoint(), "put", "k" + i, "v").exitCode());
            }
            List<Scrape> after = scrapeAll(c);
            assertTrue(peerBytes(after, "etcd_network_peer_sent_bytes_total") > sentBefore);
            assertTrue(peerBytes(after, "etcd_network_peer_received_bytes_total") > receivedBefore);
            // every member applies every put
            for (Scrape s : after) assertTrue(s.value("etcd_mvcc_put_total") >= 5);
            for (Scrape s : after) {
                assertTrue(s.types().containsKey("etcd_network_active_peers"), "active peers on every member");
            }
        }
    }

    private static List<Scrape> scrapeAll(InJvmCluster c) throws Exception {
        List<Scrape> out = new ArrayList<>();
        for (var m : c.members) out.add(Scrape.of(m.endpoint()));
        return out;
    }

    private static double peerBytes(List<Scrape> scrapes, String family) {
        double sum = 0;
        for (Scrape s : scrapes) {
            for (var e : s.samples().entrySet()) if (e.getKey().startsWith(family + "{")) sum += e.getValue();
        }
        return sum;
    }
}
