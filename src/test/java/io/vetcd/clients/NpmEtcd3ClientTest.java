package io.vetcd.clients;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * npm etcd3 1.1.2 (microsoft/etcd3 on @grpc/grpc-js, node 20; installed by {@code npm ci} from the
 * committed lock file, see .ci/run): KV builders (typed gets, sorts, limits, revision filters,
 * touch, getPrevious), namespaces, transactions, the STM, leases (keepalive once and automatic,
 * lost leases, fixed ids, expiry), key/prefix/filtered/historical watches and a watch from a
 * compacted revision, locks, elections with an observer, members, status, alarms, defragment,
 * snapshot, and the auth API (users, roles, permissions, tokens) — the same transcript from etcd
 * and vetcd.
 */
class NpmEtcd3ClientTest extends ClientTranscripts {
    static final Path DIR = CLIENTS.resolve("npm-etcd3");

    /** Skips (counted and with the reason in the report) when the client is not installed. */
    static void clientInstalled() {
        assumeRuns("node is installed", "node", "--version");
        Assumptions.assumeTrue(Files.isDirectory(DIR.resolve("node_modules/etcd3")),
            "npm etcd3 is installed (cd src/test/clients/npm-etcd3 && npm ci --no-audit --no-fund)");
    }

    @Test
    void sameTranscriptAsRealEtcd() throws Exception {
        clientInstalled();
        assertSameTranscript(DIR, List.of("node", "transcript.js"), 120, Map.of(
            // etcd 3.4 has no AuthStatus (3.5 added it); vetcd serves it (README "Auth")
            "auth status !! GRPCNotImplementedError: 12 UNIMPLEMENTED: unknown method AuthStatus for service etcdserverpb.Auth",
            "auth status -> false"));
    }
}
