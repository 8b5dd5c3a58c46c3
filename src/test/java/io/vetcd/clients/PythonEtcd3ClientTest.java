package io.vetcd.clients;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * python etcd3 0.12 (kragniz/python-etcd3, Debian's python3-etcd3, gRPC through grpcio): KV with
 * sorts, ranges, limits and history, transactions (nested, failing compares, duplicate keys),
 * leases (minimum TTL, keepalive, fixed ids, expiry, revoke, errors), key and prefix watches with
 * cancel, history and compaction, the client's lock, members, status, alarms, defragment,
 * snapshot, and auth (users, roles, permission denied) — the same transcript from etcd and vetcd.
 */
class PythonEtcd3ClientTest extends ClientTranscripts {
    static final String PYTHON = "/usr/bin/python3";

    /** Skips (counted and with the reason in the report) when the client is not installed. */
    static void clientInstalled() {
        assumeRuns("python3-etcd3 is installed", PYTHON, "-c", "import etcd3");
    }

    @Test
    void sameTranscriptAsRealEtcd() throws Exception {
        clientInstalled();
        assertSameTranscript(CLIENTS.resolve("python-etcd3"), List.of(PYTHON, "transcript.py"), 120, Map.of(
            // etcd 3.4.23 answers Status to any user; later 3.4 releases (and vetcd) only to an admin (README "Auth")
            "alice status -> ['3', '4']", "alice status !! RpcError PERMISSION_DENIED 'etcdserver: permission denied'"));
    }
}
