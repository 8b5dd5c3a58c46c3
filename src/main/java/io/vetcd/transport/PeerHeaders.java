package io.vetcd.transport;

/** The headers etcd's peers exchange on every request. */
public final class PeerHeaders {
    public static final String CLUSTER_ID = "X-Etcd-Cluster-ID";
    public static final String FROM = "X-Server-From";
    public static final String VERSION = "X-Server-Version";
    public static final String MIN_CLUSTER_VERSION = "X-Min-Cluster-Version";

    private PeerHeaders() {}
}
