package io.vetcd.metrics;

/** etcd's lease/metrics.go. */
public final class LeaseMetrics {
    public static final LeaseMetrics DETACHED = new LeaseMetrics(new MetricRegistry());

    public final Counter granted;
    public final Counter revoked;
    public final Counter renewed;
    public final Histogram ttl;

    public LeaseMetrics(MetricRegistry r) {
        granted = r.counter("etcd_debugging_lease_granted_total", "The total number of granted leases.");
        revoked = r.counter("etcd_debugging_lease_revoked_total", "The total number of revoked leases.");
        renewed = r.counter("etcd_debugging_lease_renewed_total", "The number of renewed leases seen by the leader.");
        ttl = r.histogram("etcd_debugging_lease_ttl_total", "Bucketed histogram of lease TTLs.",
            Histogram.exponentialBuckets(1, 2, 24));
    }
}
