package io.vetcd.clients;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * Patroni 3.0's etcd3 DCS (Debian's patroni: patroni/dcs/etcd3.py, its own urllib3 client on the v3
 * JSON gateway), driven as Patroni's HA loop drives it by three members' {@code Etcd3} objects:
 * member discovery (/v3/cluster/member/list, /version), bootstrap (initialize, touch_member), the
 * leader race (attempt_to_acquire_leader, update_leader, take_leader, delete_leader), compare-and-set
 * on config, failover and sync keys by index, history, the KVCache fed by a /v3/watch stream and
 * Patroni's watch() woken by the leader key, a leader whose lease expires, revoked leases,
 * cancel_initialization, delete_cluster, and all of it again as a user with a role under auth
 * (token refresh, wrong password) — the same transcript from etcd and vetcd.
 */
class PatroniEtcd3DcsTest extends ClientTranscripts {
    static final String PYTHON = "/usr/bin/python3";

    /** Skips (counted and with the reason in the report) when the client is not installed. */
    static void patroniInstalled() {
        assumeRuns("patroni is installed", PYTHON, "-c", "import patroni.dcs.etcd3");
    }

    @Test
    void sameTranscriptAsRealEtcd() throws Exception {
        patroniInstalled();
        assertSameTranscript(CLIENTS.resolve("patroni"), List.of(PYTHON, "transcript.py"), 120, Map.of(
            // etcd 3.4.23 lists members to anyone; etcd 3.4.42+ (and vetcd, README "Auth") only to an
            // authenticated user, and Patroni 3.0 asks before it authenticates: with auth on, it needs
            // use_proxies (or Patroni 3.3.9/4.0.8/4.1.1+, which authenticate first) against vetcd as against etcd 3.4.42+
            "Patroni with username/password and discovery started True",
            "Patroni with username/password and discovery started False",
            "member list without token 200 None",
            "member list without token 400 etcdserver: user name is empty"));
    }
}
