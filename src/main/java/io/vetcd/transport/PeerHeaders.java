package io.vetcd.transport;

/** The headers etcd's peers exchange on every request. */
public final class PeerHeaders {
    public static final String CLUSTER_ID = "X-Etcd-Cluster-ID";
    public static final String FROM = "X-Server-From";
    public static final String VERSION = "X-Server-Version";
    public static final String MIN_CLUSTER_VERSION = "X-Min-Cluster-Version";
    /** On a stream dial: the member the dialer expects to answer (etcd refuses a mismatch with 412). */
    public static final String RAFT_TO = "X-Raft-To";

    private PeerHeaders() {}
}
