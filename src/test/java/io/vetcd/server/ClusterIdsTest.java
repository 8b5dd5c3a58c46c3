package io.vetcd.server;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Ids must equal real etcd's for the same flags, so tooling and peers agree on them. */
class ClusterIdsTest {
    @Test
    void sameIdsAsEtcd343() {
        // etcd 3.4.23: --initial-advertise-peer-urls http://127.0.0.1:23801 --initial-cluster-token tok-1
        long member = ClusterIds.memberId(List.of("http://127.0.0.1:23801"), "tok-1", null);
        assertEquals("17836315519559875096", Long.toUnsignedString(member));
        assertEquals("f7875276d5273a18", ClusterIds.hex(member));
        assertEquals("15904247452754297380", Long.toUnsignedString(ClusterIds.clusterId(List.of(member))));
    }

    @Test
    void peerUrlOrderDoesNotMatter() {
        assertEquals(ClusterIds.memberId(List.of("http://b:2380", "http://a:2380"), "t", null),
            ClusterIds.memberId(List.of("http://a:2380", "http://b:2380"), "t", null));
        assertEquals(ClusterIds.clusterId(List.of(1L, -5L, 3L)), ClusterIds.clusterId(List.of(-5L, 3L, 1L)));
    }
}
