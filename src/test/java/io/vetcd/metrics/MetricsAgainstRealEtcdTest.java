package io.vetcd.metrics;

import io.vetcd.testing.AgainstRealEtcd;
import io.vetcd.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same requests against real etcd 3.4 and vetcd, then both /metrics pages compared: for the
 * families dashboards use, the same names, TYPEs and label names, and the same values where the
 * value is determined by the requests (operation counters, keys, leases, gRPC calls).
 */
class MetricsAgainstRealEtcdTest extends AgainstRealEtcd {
    private static final List<String> FAMILIES = List.of(
        "etcd_server_has_leader", "etcd_server_is_leader", "etcd_server_is_learner", "etcd_server_leader_changes_seen_total",
        "etcd_server_proposals_committed_total", "etcd_server_proposals_applied_total", "etcd_server_proposals_pending",
        "etcd_server_proposals_failed_total", "etcd_server_heartbeat_send_failures_total", "etcd_server_slow_apply_total",
        "etcd_server_slow_read_indexes_total", "etcd_server_read_indexes_failed_total", "etcd_server_quota_backend_bytes",
        "etcd_server_version", "etcd_cluster_version", "etcd_server_id", "etcd_server_health_success", "etcd_server_health_failures",
        "etcd_mvcc_db_total_size_in_bytes", "etcd_mvcc_db_total_size_in_use_in_bytes", "etcd_debugging_mvcc_keys_total",
        "etcd_mvcc_put_total", "etcd_mvcc_delete_total", "etcd_mvcc_range_total", "etcd_mvcc_txn_total",
        "etcd_debugging_mvcc_db_compaction_keys_total", "etcd_debugging_mvcc_db_compaction_total_duration_milliseconds",
        "etcd_debugging_mvcc_current_revision", "etcd_debugging_mvcc_compact_revision", "etcd_debugging_mvcc_watcher_total",
        "etcd_debugging_mvcc_slow_watcher_total", "etcd_debugging_mvcc_events_total",
        "etcd_disk_backend_commit_duration_seconds", "etcd_disk_backend_defrag_duration_seconds",
        "etcd_disk_backend_snapshot_duration_seconds", "etcd_disk_wal_fsync_duration_seconds",
        "etcd_network_client_grpc_sent_bytes_total", "etcd_network_client_grpc_received_bytes_total",
        "grpc_server_started_total", "grpc_server_handled_total", "grpc_server_msg_received_total", "grpc_server_msg_sent_total",
        "etcd_debugging_lease_granted_total", "etcd_debugging_lease_revoked_total", "etcd_debugging_lease_renewed_total",
        "etcd_debugging_lease_ttl_total",
        "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_max_fds",
        "process_start_time_seconds");

    /** Series whose values the request sequence fixes. */
    private static final List<String> DETERMINED = List.of(
        "etcd_server_has_leader", "etcd_server_is_leader", "etcd_server_is_learner",
        "etcd_server_version{server_version=\"3.4.23\"}", "etcd_cluster_version{cluster_version=\"3.4\"}",
        "etcd_mvcc_put_total", "etcd_mvcc_delete_total", "etcd_mvcc_range_total", "etcd_mvcc_txn_total",
        "etcd_debugging_mvcc_keys_total", "etcd_debugging_mvcc_current_revision",
        "etcd_debugging_lease_granted_total", "etcd_debugging_lease_revoked_total",
        "etcd_server_health_success", "etcd_server_health_failures",
        "grpc_server_handled_total{grpc_code=\"Canceled\",grpc_method=\"Watch\",grpc_service=\"etcdserverpb.Watch\",grpc_type=\"bidi_stream\"}",
        "grpc_server_msg_sent_total{grpc_method=\"Watch\",grpc_service=\"etcdserverpb.Watch\",grpc_type=\"bidi_stream\"}",
        "grpc_server_started_total{grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}",
        "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}",
        "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Range\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}",
        "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Txn\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}",
        "grpc_server_msg_received_total{grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}",
        "grpc_server_msg_sent_total{grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}",
        "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"LeaseGrant\",grpc_service=\"etcdserverpb.Lease\",grpc_type=\"unary\"}",
        "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"LeaseRevoke\",grpc_service=\"etcdserverpb.Lease\",grpc_type=\"unary\"}",
        "grpc_server_handled_total{grpc_code=\"NotFound\",grpc_method=\"LeaseRevoke\",grpc_service=\"etcdserverpb.Lease\",grpc_type=\"unary\"}");

    @Test
    void sameFamiliesTypesLabelsAndCounts() throws Exception {
        for (String ep : List.of(etcd.endpoint(), vetcd.endpoint())) drive(ep);
        // Both servers count a closed watch stream when they notice it; ask again until they agree (or 15 s).
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        List<String> diffs;
        Scrape ours;
        while (true) {
            Scrape real = Scrape.of(etcd.endpoint());
            ours = Scrape.of(vetcd.endpoint());
            diffs = diffs(real, ours);
            if (diffs.isEmpty() || System.nanoTime() > deadline) break;
            Thread.sleep(200);
        }
        assertEquals(List.of(), diffs);
        assertTrue(ours.value("etcd_disk_wal_fsync_duration_seconds_count") > 0);
    }

    private static List<String> diffs(Scrape real, Scrape ours) {
        List<String> diffs = new ArrayList<>();
        for (String f : FAMILIES) {
            if (!f.equals(f.trim()) || real.types().get(f) == null) diffs.add("real etcd lacks " + f);
            if (ours.types().get(f) == null) { diffs.add("vetcd lacks " + f); continue; }
            if (!ours.types().get(f).equals(real.types().get(f))) {
                diffs.add(f + " TYPE " + ours.types().get(f) + ", etcd " + real.types().get(f));
            }
            if (!ours.labelNames().getOrDefault(f, java.util.Set.of()).equals(real.labelNames().getOrDefault(f, java.util.Set.of()))) {
                diffs.add(f + " labels " + ours.labelNames().get(f) + ", etcd " + real.labelNames().get(f));
            }
        }
        for (String s : DETERMINED) {
            Double r = real.samples().get(s);
            Double o = ours.samples().get(s);
            if (r == null || !r.equals(o)) diffs.add(s + " = " + o + ", etcd " + r);
        }
        return diffs;
    }

    /** puts, deletes, a txn, a range, a lease granted and revoked (and revoked again: NotFound), a watch canceled, /health. */
    private static void drive(String ep) throws Exception {
        ok(Cli.etcdctl(ep, "put", "a", "1"));
        ok(Cli.etcdctl(ep, "put", "b", "2"));
        ok(Cli.etcdctl(ep, "put", "a", "3"));
        ok(Cli.etcdctl(ep, "del", "b"));
        ok(Cli.etcdctl(ep, "del", "nothing"));
        ok(Cli.etcdctlWithInput(ep, "value(\"a\") = \"3\"\n\nput c 4\n\n\n", "txn"));
        ok(Cli.etcdctl(ep, "get", "a"));
        String grant = Cli.etcdctl(ep, "lease", "grant", "100").output();
        String id = grant.split(" ")[1];
        ok(Cli.etcdctl(ep, "lease", "revoke", id));
        Cli.etcdctl(ep, "lease", "revoke", id);
        // a watch whose client goes away: counted Canceled
        Cli.run(List.of("timeout", "2", "etcdctl", "--endpoints", ep, "watch", "a", "--rev", "1"));
        Cli.run(List.of("curl", "-s", ep + "/health"));
    }

    private static void ok(Cli.Result r) {
        assertEquals(0, r.exitCode(), r.output());
    }
}
