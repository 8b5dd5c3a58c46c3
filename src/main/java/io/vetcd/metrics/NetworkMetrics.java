package io.vetcd.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * etcd's rafthttp/metrics.go (peer traffic, labelled by the peer's member id in hex, as etcd
 * labels it) and the client gRPC byte counters of v3rpc/metrics.go.
 */
public final class NetworkMetrics {
    public static final NetworkMetrics DETACHED = new NetworkMetrics(new MetricRegistry());

    /** The bound counters of one peer, so a send or receive is a single increment. */
    public static final class Peer {
        public final Counter sentBytes;
        public final Counter receivedBytes;
        public final Counter sentFailures;
        public final Counter receivedFailures;
        public final Histogram roundTripSeconds;
        public final Counter snapshotSendSuccess;
        public final Counter snapshotSendFailures;
        public final Histogram snapshotSendSeconds;
        public final Counter snapshotReceiveSuccess;
        public final Counter snapshotReceiveFailures;
        public final Histogram snapshotReceiveSeconds;

        Peer(NetworkMetrics m, String id) {
            sentBytes = m.sentBytes.labels(id);
            receivedBytes = m.receivedBytes.labels(id);
            sentFailures = m.sentFailures.labels(id);
            receivedFailures = m.receivedFailures.labels(id);
            roundTripSeconds = m.rtt.labels(id);
            snapshotSendSuccess = m.snapshotSend.labels(id);
            snapshotSendFailures = m.snapshotSendFailures.labels(id);
            snapshotSendSeconds = m.snapshotSendSeconds.labels(id);
            snapshotReceiveSuccess = m.snapshotReceive.labels(id);
            snapshotReceiveFailures = m.snapshotReceiveFailures.labels(id);
            snapshotReceiveSeconds = m.snapshotReceiveSeconds.labels(id);
        }
    }

    private final MetricFamily<Counter> sentBytes;
    private final MetricFamily<Counter> receivedBytes;
    private final MetricFamily<Counter> sentFailures;
    private final MetricFamily<Counter> receivedFailures;
    private final MetricFamily<Histogram> rtt;
    private final MetricFamily<Counter> snapshotSend;
    private final MetricFamily<Counter> snapshotSendFailures;
    private final MetricFamily<Histogram> snapshotSendSeconds;
    private final MetricFamily<Counter> snapshotReceive;
    private final MetricFamily<Counter> snapshotReceiveFailures;
    private final MetricFamily<Histogram> snapshotReceiveSeconds;
    private final MetricFamily<Gauge> activePeers;
    private final MetricFamily<Counter> disconnectedPeers;
    public final Counter clientGrpcSentBytes;
    /** Writes to peers' raft streams (one per drain or link heartbeat): etcd has no such counter; a per-put cost. */
    public final Counter streamWrites;
    /** Chunks read from peers' raft streams (each a read and a decode on an event loop). */
    public final Counter streamReads;
    public final Counter clientGrpcReceivedBytes;
    private final Map<Long, Peer> peers = new ConcurrentHashMap<>();
    /** Peers currently counted as active, so a repeated "up" or "down" is not counted twice. */
    private final Map<Long, Boolean> active = new ConcurrentHashMap<>();

    public NetworkMetrics(MetricRegistry r) {
        sentBytes = r.counterVec("etcd_network_peer_sent_bytes_total", "The total number of bytes sent to peers.", "To");
        receivedBytes = r.counterVec("etcd_network_peer_received_bytes_total", "The total number of bytes received from peers.", "From");
        sentFailures = r.counterVec("etcd_network_peer_sent_failures_total", "The total number of send failures from peers.", "To");
        receivedFailures = r.counterVec("etcd_network_peer_received_failures_total",
            "The total number of receive failures from peers.", "From");
        rtt = r.histogramVec("etcd_network_peer_round_trip_time_seconds", "Round-Trip-Time histogram between peers",
            Histogram.exponentialBuckets(0.0001, 2, 16), "To");
        snapshotSend = r.counterVec("etcd_network_snapshot_send_success", "Total number of successful snapshot sends", "To");
        snapshotSendFailures = r.counterVec("etcd_network_snapshot_send_failures", "Total number of snapshot send failures", "To");
        snapshotSendSeconds = r.histogramVec("etcd_network_snapshot_send_total_duration_seconds",
            "Total latency distributions of v3 snapshot sends", Histogram.exponentialBuckets(0.1, 2, 10), "To");
        snapshotReceive = r.counterVec("etcd_network_snapshot_receive_success", "Total number of successful snapshot receives", "From");
        snapshotReceiveFailures = r.counterVec("etcd_network_snapshot_receive_failures",
            "Total number of snapshot receive failures", "From");
        snapshotReceiveSeconds = r.histogramVec("etcd_network_snapshot_receive_total_duration_seconds",
            "Total latency distributions of v3 snapshot receives", Histogram.exponentialBuckets(0.1, 2, 10), "From");
        activePeers = r.gaugeVec("etcd_network_active_peers", "The current number of active peer connections.", "Local", "Remote");
        disconnectedPeers = r.counterVec("etcd_network_disconnected_peers_total", "The total number of disconnected peers.",
            "Local", "Remote");
        clientGrpcSentBytes = r.counter("etcd_network_client_grpc_sent_bytes_total", "The total number of bytes sent to grpc clients.");
        streamWrites = r.counter("vetcd_network_peer_stream_writes_total",
            "The total number of writes to peers' raft streams (each one flush of the connection).");
        streamReads = r.counter("vetcd_network_peer_stream_reads_total",
            "The total number of chunks read from peers' raft streams.");
        clientGrpcReceivedBytes = r.counter("etcd_network_client_grpc_received_bytes_total",
            "The total number of bytes received from grpc clients.");
    }

    /** The counters of the peer with this member id (bound on first use, then cached). */
    public Peer peer(long id) {
        return peers.computeIfAbsent(id, i -> new Peer(this, Long.toHexString(i)));
    }

    /** The local member reached {@code remote} after not reaching it (etcd's peer status "active"). */
    public void peerActive(long local, long remote) {
        if (active.put(remote, Boolean.TRUE) == null) {
            activePeers.labels(Long.toHexString(local), Long.toHexString(remote)).inc();
        }
    }

    /** The local member lost {@code remote} (etcd's peer status "inactive"). */
    public void peerInactive(long local, long remote) {
        if (active.remove(remote) != null) {
            activePeers.labels(Long.toHexString(local), Long.toHexString(remote)).dec();
            disconnectedPeers.labels(Long.toHexString(local), Long.toHexString(remote)).inc();
        }
    }
}
