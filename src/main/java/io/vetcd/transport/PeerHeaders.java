package io.vetcd.transport;

import io.vertx.core.http.RequestOptions;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;

/** The headers etcd's peers exchange on every request (rafthttp's createPostRequest and stream dial). */
public final class PeerHeaders {
    public static final String CLUSTER_ID = "X-Etcd-Cluster-ID";
    public static final String FROM = "X-Server-From";
    public static final String VERSION = "X-Server-Version";
    public static final String MIN_CLUSTER_VERSION = "X-Min-Cluster-Version";
    /** On a stream dial: the member the dialer expects to answer (etcd refuses a mismatch with 412). */
    public static final String RAFT_TO = "X-Raft-To";
    /** The sender's advertised peer URLs, comma separated; etcd uses them to reach a member it does not know yet. */
    public static final String PEER_URLS = "X-PeerURLs";

    /** etcd 3.4's version.MinClusterVersion: the oldest cluster version a 3.4 member can join. */
    public static final String MIN_CLUSTER_VERSION_VALUE = "3.0.0";

    private PeerHeaders() {}

    /** The headers every peer POST carries, as etcd's createPostRequest sets them. */
    static RequestOptions putPostHeaders(RequestOptions o, Membership membership, String contentType) {
        o.putHeader("Content-Type", contentType)
            .putHeader(FROM, ClusterIds.hex(membership.localId()))
            .putHeader(VERSION, EtcdServer.VERSION)
            .putHeader(MIN_CLUSTER_VERSION, MIN_CLUSTER_VERSION_VALUE)
            .putHeader(CLUSTER_ID, ClusterIds.hex(membership.clusterId()));
        return putPeerUrls(o, membership);
    }

    static RequestOptions putPeerUrls(RequestOptions o, Membership membership) {
        Member self = membership.local();
        if (self != null && !self.peerUrls().isEmpty()) o.putHeader(PEER_URLS, String.join(",", self.peerUrls()));
        return o;
    }
}
