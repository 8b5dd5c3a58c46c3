package io.vetcd.metrics;

/** etcd's wal/metrics.go: fsync latency of the raft WAL and the bytes written to it. */
public final class WalMetrics {
    public static final WalMetrics DETACHED = new WalMetrics(new MetricRegistry());

    public final Histogram fsyncSeconds;
    /** A gauge in etcd 3.4 despite its name. */
    public final Gauge writeBytes;

    public WalMetrics(MetricRegistry r) {
        fsyncSeconds = r.histogram("etcd_disk_wal_fsync_duration_seconds",
            "The latency distributions of fsync called by WAL.", Histogram.exponentialBuckets(0.001, 2, 14));
        writeBytes = r.gauge("etcd_disk_wal_write_bytes_total", "Total number of bytes written in WAL.");
    }
}
