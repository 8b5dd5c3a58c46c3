package io.vetcd.metrics;

/**
 * etcd's mvcc/backend/metrics.go. vetcd's backend is RocksDB, so "commit" is the write of one
 * applied entry's batch (RocksDB WAL append, not fsynced: the raft WAL is the durable copy) where
 * etcd's is bbolt's periodic batch commit with fsync.
 */
public final class BackendMetrics {
    public static final BackendMetrics DETACHED = new BackendMetrics(new MetricRegistry());

    public final Histogram commitSeconds;
    public final Histogram defragSeconds;
    public final Histogram snapshotSeconds;
    public final Gauge defragInflight;

    public BackendMetrics(MetricRegistry r) {
        commitSeconds = r.histogram("etcd_disk_backend_commit_duration_seconds",
            "The latency distributions of commit called by backend.", Histogram.exponentialBuckets(0.001, 2, 14));
        defragSeconds = r.histogram("etcd_disk_backend_defrag_duration_seconds",
            "The latency distribution of backend defragmentation.", Histogram.exponentialBuckets(.1, 2, 13));
        snapshotSeconds = r.histogram("etcd_disk_backend_snapshot_duration_seconds",
            "The latency distribution of backend snapshots.", Histogram.exponentialBuckets(.01, 2, 17));
        defragInflight = r.gauge("etcd_disk_defrag_inflight",
            "Whether or not defrag is active on the member. 1 means active, 0 means not.");
    }
}
