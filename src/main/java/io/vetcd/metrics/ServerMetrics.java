package io.vetcd.metrics;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** etcd's etcdserver/metrics.go and the /health counters of etcdhttp/metrics.go. */
public final class ServerMetrics {
    public static final ServerMetrics DETACHED = new ServerMetrics(new MetricRegistry());

    private final MetricRegistry registry;
    public final Counter leaderChanges;
    public final Counter heartbeatSendFailures;
    public final Counter slowApplies;
    public final Gauge snapshotApplyInProgress;
    public final Counter proposalsFailed;
    public final Counter slowReadIndexes;
    public final Counter readIndexesFailed;
    public final Counter leasesExpired;
    public final Counter healthSuccess;
    public final Counter healthFailures;
    public final Counter authFailures;
    /** Raft Readies the core handled (each at most one WAL write + fsync and one send per peer). */
    public final Counter readies;

    public ServerMetrics(MetricRegistry r) {
        this.registry = r;
        leaderChanges = r.counter("etcd_server_leader_changes_seen_total", "The number of leader changes seen.");
        heartbeatSendFailures = r.counter("etcd_server_heartbeat_send_failures_total",
            "The total number of leader heartbeat send failures (likely overloaded from slow disk).");
        slowApplies = r.counter("etcd_server_slow_apply_total",
            "The total number of slow apply requests (likely overloaded from slow disk).");
        snapshotApplyInProgress = r.gauge("etcd_server_snapshot_apply_in_progress_total",
            "1 if the server is applying the incoming snapshot. 0 if none.");
        proposalsFailed = r.counter("etcd_server_proposals_failed_total", "The total number of failed proposals seen.");
        slowReadIndexes = r.counter("etcd_server_slow_read_indexes_total",
            "The total number of pending read indexes not in sync with leader's or timed out read index requests.");
        readIndexesFailed = r.counter("etcd_server_read_indexes_failed_total", "The total number of failed read indexes seen.");
        leasesExpired = r.counter("etcd_debugging_server_lease_expired_total", "The total number of expired leases.");
        healthSuccess = r.counter("etcd_server_health_success", "The total number of successful health checks");
        healthFailures = r.counter("etcd_server_health_failures", "The total number of failed health checks");
        // etcd has no such counter; a storm of bad logins should be visible
        readies = r.counter("vetcd_server_raft_readies_total",
            "The total number of raft Readies the core handled (each at most one WAL fsync and one send per peer).");
        authFailures = r.counter("vetcd_auth_failures_total", "The total number of Authenticate calls refused (wrong user or password).");
    }

    /** Values owned by the raft core and membership, read at scrape time. */
    public void observeServer(BooleanSupplier hasLeader, BooleanSupplier isLeader, BooleanSupplier isLearner,
                              LongSupplier committed, LongSupplier applied, LongSupplier pending,
                              LongSupplier quotaBytes) {
        registry.gauge("etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.",
            () -> hasLeader.getAsBoolean() ? 1 : 0);
        registry.gauge("etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.",
            () -> isLeader.getAsBoolean() ? 1 : 0);
        registry.gauge("etcd_server_is_learner", "Whether or not this member is a learner. 1 if is, 0 otherwise.",
            () -> isLearner.getAsBoolean() ? 1 : 0);
        registry.gauge("etcd_server_proposals_committed_total", "The total number of consensus proposals committed.",
            committed::getAsLong);
        registry.gauge("etcd_server_proposals_applied_total", "The total number of consensus proposals applied.",
            applied::getAsLong);
        registry.gauge("etcd_server_proposals_pending", "The current number of pending proposals to commit.",
            pending::getAsLong);
        registry.gauge("etcd_server_quota_backend_bytes", "Current backend storage quota size in bytes.",
            quotaBytes::getAsLong);
    }

    /** etcd's auth revision gauge, read at scrape time. */
    public void observeAuth(LongSupplier authRevision) {
        registry.gauge("etcd_debugging_auth_revision", "The current revision of auth store.", authRevision::getAsLong);
    }

    /** The constant info gauges: 1 with the value in a label. */
    /** etcd_cluster_version: 1 on the agreed version's major.minor label, 0 on the one it replaced. */
    public synchronized void clusterVersion(String majorMinor) {
        if (clusterVersionGauge == null) {
            clusterVersionGauge = registry.gaugeVec("etcd_cluster_version",
                "Which version is running. 1 for 'cluster_version' label with current cluster version", "cluster_version");
        }
        var g = clusterVersionGauge;
        if (shownClusterVersion != null && !shownClusterVersion.equals(majorMinor)) g.labels(shownClusterVersion).set(0);
        g.labels(majorMinor).set(1);
        shownClusterVersion = majorMinor;
    }

    private String shownClusterVersion;
    private MetricFamily<Gauge> clusterVersionGauge;

    public void identity(String serverVersion, String serverIdHex) {
        registry.gaugeVec("etcd_server_version",
            "Which version is running. 1 for 'server_version' label with current version.", "server_version")
            .labels(serverVersion).set(1);
        registry.gaugeVec("etcd_server_id",
            "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.", "server_id")
            .labels(serverIdHex).set(1);
        // etcd_server_go_version has no meaning here; the JVM's version under vetcd's own name instead
        registry.gaugeVec("vetcd_server_java_version",
            "Which Java version the server is running with. 1 for 'server_java_version' label with current version.",
            "server_java_version").labels(System.getProperty("java.version")).set(1);
    }
}
