package io.vetcd.transport;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.EtcdServer;
import org.slf4j.Logger;

/**
 * etcd's checkClusterCompatibilityFromHeader, which guards /raft, /raft/snapshot and the
 * streams: the sender's version must be one this member can run with (its major.minor at least
 * our minimum cluster version, its minimum cluster version at most our major.minor; a missing
 * header means 2.0.0), then its cluster id must be ours. Both failures are 412 with etcd's exact
 * body, which an etcd sender matches to tell them apart.
 */
final class PeerRequestCheck {
    static final String INCOMPATIBLE_VERSION = "incompatible version";
    static final String CLUSTER_ID_MISMATCH = "cluster ID mismatch";

    private PeerRequestCheck() {}

    /** Null if the request may go on, else etcd's error text (already answered with 412 and logged). */
    static String check(MultiMap headers, long clusterId, HttpServerResponse resp, Logger log, String what) {
        String from = headers.get(PeerHeaders.FROM);
        String server = headers.get(PeerHeaders.VERSION);
        String minCluster = headers.get(PeerHeaders.MIN_CLUSTER_VERSION);
        int[] remote = majorMinor(server == null || server.isEmpty() ? "2.0.0" : server);
        int[] remoteMin = majorMinor(minCluster == null || minCluster.isEmpty() ? "2.0.0" : minCluster);
        int[] localMin = majorMinor(PeerHeaders.MIN_CLUSTER_VERSION_VALUE);
        int[] local = majorMinor(EtcdServer.VERSION);
        String refusal = null;
        if (remote == null || remoteMin == null) {
            refusal = INCOMPATIBLE_VERSION;
            log.warn("rejected {} from {}: unparseable version headers (server {}, min cluster {})", what, from, server, minCluster);
        } else if (compare(remote, localMin) < 0) {
            refusal = INCOMPATIBLE_VERSION;
            log.warn("rejected {} from {}: failed to check version compatibility: remote version is too low: remote[{}]={}, local={}",
                what, from, from, server, EtcdServer.VERSION);
        } else if (compare(remoteMin, local) > 0) {
            refusal = INCOMPATIBLE_VERSION;
            log.warn("rejected {} from {}: failed to check version compatibility: local version is too low: remote[{}]={}, local={}",
                what, from, from, server, EtcdServer.VERSION);
        } else {
            String expected = ClusterIds.hex(clusterId);
            String got = headers.get(PeerHeaders.CLUSTER_ID);
            if (!expected.equals(got)) {
                refusal = CLUSTER_ID_MISMATCH;
                log.warn("rejected {} from {}: request cluster ID mismatch (local-member-cluster-id {}, remote-peer-cluster-id {})",
                    what, from, expected, got);
            }
        }
        if (refusal != null) PeerErrors.reply(resp, 412, refusal);
        return refusal;
    }

    private static int compare(int[] a, int[] b) {
        return a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]);
    }

    /** major.minor of a semantic version, or null if it is not one. */
    static int[] majorMinor(String v) {
        String[] parts = v.split("[.+-]", 4);
        if (parts.length < 3) return null;
        try {
            return new int[]{Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
