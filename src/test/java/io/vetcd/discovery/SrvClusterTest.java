package io.vetcd.discovery;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How SRV records become an initial cluster (etcd's srv.GetCluster, with the http records kept as etcd 3.5 does). */
class SrvClusterTest {
    private static final List<URI> ME = List.of(URI.create("http://127.0.0.1:2380"));

    private static SrvLookup records(Map<String, List<SrvRecord>> byName) {
        return name -> {
            List<SrvRecord> r = byName.get(name);
            if (r == null) throw new IOException("lookup " + name + ": no such host");
            return r;
        };
    }

    @Test
    void theRecordAtOurAdvertisedAddressIsUsAndTheOthersAreNumbered() throws Exception {
        SrvLookup dns = records(Map.of("_etcd-server._tcp.example.com", List.of(
            new SrvRecord(0, 0, 2380, "localhost."), new SrvRecord(0, 0, 2480, "localhost."), new SrvRecord(0, 0, 2580, "localhost."))));
        Map<String, List<String>> c = SrvCluster.resolve("example.com", "", "infra0", ME, dns);
        assertEquals(Map.of("infra0", List.of("http://localhost:2380"), "0", List.of("http://localhost:2480"),
            "1", List.of("http://localhost:2580")), c);
        assertEquals(List.of("infra0", "0", "1"), List.copyOf(c.keySet()), "DNS order is kept");
    }

    @Test
    void httpsAndHttpRecordsAreCombined() throws Exception {
        SrvLookup dns = records(Map.of(
            "_etcd-server-ssl._tcp.example.com", List.of(new SrvRecord(0, 0, 2480, "localhost.")),
            "_etcd-server._tcp.example.com", List.of(new SrvRecord(0, 0, 2380, "localhost."))));
        Map<String, List<String>> c = SrvCluster.resolve("example.com", "", "infra0", ME, dns);
        assertEquals(Map.of("0", List.of("https://localhost:2480"), "infra0", List.of("http://localhost:2380")), c);
    }

    @Test
    void theServiceNameIsASuffix() throws Exception {
        SrvLookup dns = records(Map.of("_etcd-server-ssl-blue._tcp.example.com",
            List.of(new SrvRecord(0, 0, 2380, "localhost."))));
        Map<String, List<String>> c = SrvCluster.resolve("example.com", "blue", "infra0",
            List.of(URI.create("https://127.0.0.1:2380")), dns);
        assertEquals(Map.of("infra0", List.of("https://localhost:2380")), c);
    }

    @Test
    void aClusterWithoutUsIsRefused() {
        SrvLookup dns = records(Map.of("_etcd-server._tcp.example.com", List.of(new SrvRecord(0, 0, 9999, "localhost."))));
        IOException e = assertThrows(IOException.class, () -> SrvCluster.resolve("example.com", "", "infra0", ME, dns));
        assertEquals("cannot find local etcd member \"infra0\" in SRV records", e.getMessage());
    }

    @Test
    void ourAddressUnderTheOtherSchemeIsAMismatch() {
        SrvLookup dns = records(Map.of("_etcd-server-ssl._tcp.example.com", List.of(new SrvRecord(0, 0, 2380, "localhost."))));
        IOException e = assertThrows(IOException.class, () -> SrvCluster.resolve("example.com", "", "infra0", ME, dns));
        assertTrue(e.getMessage().contains("has scheme mismatch with expected peer http://127.0.0.1:2380"), e.getMessage());
    }

    @Test
    void noRecordsAtAllSaysWhatWasAsked() {
        IOException e = assertThrows(IOException.class, () -> SrvCluster.resolve("example.com", "", "infra0", ME, records(Map.of())));
        assertTrue(e.getMessage().startsWith("error querying DNS SRV records for _etcd-server"), e.getMessage());
    }
}
