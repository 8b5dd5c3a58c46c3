package io.vetcd.api;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.vertx.core.json.JsonObject;
import io.vetcd.testing.InJvmCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The permission matrix: for each RPC, a user who has the permission it needs and one who does not
 * (and, where etcd asks only for some user, nobody), over gRPC (jetcd) and the JSON gateway, on the
 * leader and on a follower of a 3-member cluster. Every cell is asserted; failures are collected
 * so one run shows the whole matrix.
 */
class AuthPermissionMatrixTest {
    private static InJvmCluster cluster;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void setUp() throws Exception {
        cluster = InJvmCluster.start(3);
        try (Client c = Client.builder().endpoints(cluster.endpoints().split(",")).build()) {
            var auth = c.getAuthClient();
            auth.roleAdd(bs("root")).get(10, TimeUnit.SECONDS);
            auth.userAdd(bs("root"), bs("rootpw")).get(10, TimeUnit.SECONDS);
            auth.userGrantRole(bs("root"), bs("root")).get(10, TimeUnit.SECONDS);
            auth.roleAdd(bs("app")).get(10, TimeUnit.SECONDS);
            auth.roleGrantPermission(bs("app"), bs("k/"), bs("k0"), Permission.Type.READWRITE).get(10, TimeUnit.SECONDS);
            auth.roleAdd(bs("other")).get(10, TimeUnit.SECONDS);
            auth.roleGrantPermission(bs("other"), bs("o/"), bs("o0"), Permission.Type.READWRITE).get(10, TimeUnit.SECONDS);
            auth.userAdd(bs("alice"), bs("alicepw")).get(10, TimeUnit.SECONDS);
            auth.userGrantRole(bs("alice"), bs("app")).get(10, TimeUnit.SECONDS);
            auth.userAdd(bs("eve"), bs("evepw")).get(10, TimeUnit.SECONDS);
            auth.userGrantRole(bs("eve"), bs("other")).get(10, TimeUnit.SECONDS);
            auth.authEnable().get(10, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void tearDown() {
        if (cluster != null) cluster.close();
    }

    private static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    private static String b64(String s) { return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }

    /** Empty when allowed, else the error text. */
    private static String outcome(Callable<?> call) {
        try {
            call.call();
            return "";
        } catch (Exception e) {
            Throwable t = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            return String.valueOf(t.getMessage());
        }
    }

    private static void expect(List<String> failures, String cell, String outcome, String wanted) {
        boolean ok = wanted.isEmpty() ? outcome.isEmpty() : outcome.contains(wanted);
        if (!ok) failures.add(cell + ": wanted " + (wanted.isEmpty() ? "success" : wanted) + ", got " + (outcome.isEmpty() ? "success" : outcome));
    }

    @Test
    void grpcMatrixOnLeaderAndFollower() throws Exception {
        List<String> failures = new ArrayList<>();
        int leader = cluster.leader();
        int follower = (leader + 1) % 3;
        for (int m : new int[] {leader, follower}) {
            String where = m == leader ? "leader" : "follower";
            String ep = cluster.members.get(m).endpoint();
            try (Client alice = Client.builder().endpoints(ep).user(bs("alice")).password(bs("alicepw")).build();
                 Client eve = Client.builder().endpoints(ep).user(bs("eve")).password(bs("evepw")).build();
                 Client root = Client.builder().endpoints(ep).user(bs("root")).password(bs("rootpw")).build();
                 Client nobody = Client.builder().endpoints(ep).build()) {
                long lease = alice.getLeaseClient().grant(60).get(10, TimeUnit.SECONDS).getID();
                alice.getKVClient().put(bs("k/leased-" + where), bs("v"), PutOption.builder().withLeaseId(lease).build()).get(10, TimeUnit.SECONDS);
                Map<String, Callable<?>[]> ops = new LinkedHashMap<>();
                // name -> {as alice, as eve}; alice has k/, eve has o/
                ops.put("Put", new Callable<?>[] {
                    () -> alice.getKVClient().put(bs("k/a"), bs("1")).get(10, TimeUnit.SECONDS),
                    () -> eve.getKVClient().put(bs("k/a"), bs("1")).get(10, TimeUnit.SECONDS)});
                ops.put("Range", new Callable<?>[] {
                    () -> alice.getKVClient().get(bs("k/a")).get(10, TimeUnit.SECONDS),
                    () -> eve.getKVClient().get(bs("k/a")).get(10, TimeUnit.SECONDS)});
                ops.put("Txn", new Callable<?>[] {
                    () -> alice.getKVClient().txn().If(new Cmp(bs("k/a"), Cmp.Op.EQUAL, CmpTarget.value(bs("1"))))
                        .Then(Op.put(bs("k/b"), bs("2"), PutOption.DEFAULT)).commit().get(10, TimeUnit.SECONDS),
                    () -> eve.getKVClient().txn().If(new Cmp(bs("o/a"), Cmp.Op.EQUAL, CmpTarget.value(bs("1"))))
                        .Then(Op.put(bs("k/b"), bs("2"), PutOption.DEFAULT)).commit().get(10, TimeUnit.SECONDS)});
                ops.put("DeleteRange", new Callable<?>[] {
                    () -> alice.getKVClient().delete(bs("k/b")).get(10, TimeUnit.SECONDS),
                    () -> eve.getKVClient().delete(bs("k/b")).get(10, TimeUnit.SECONDS)});
                ops.put("LeaseTimeToLive(keys)", new Callable<?>[] {
                    () -> alice.getLeaseClient().timeToLive(lease, io.etcd.jetcd.options.LeaseOption.builder().withAttachedKeys().build()).get(10, TimeUnit.SECONDS),
                    () -> eve.getLeaseClient().timeToLive(lease, io.etcd.jetcd.options.LeaseOption.builder().withAttachedKeys().build()).get(10, TimeUnit.SECONDS)});
                ops.put("LeaseKeepAliveOnce", new Callable<?>[] {
                    () -> alice.getLeaseClient().keepAliveOnce(lease).get(10, TimeUnit.SECONDS),
                    () -> eve.getLeaseClient().keepAliveOnce(lease).get(10, TimeUnit.SECONDS)});
                ops.put("LeaseRevoke", new Callable<?>[] {
                    () -> "alice revokes below, after eve is refused",
                    () -> eve.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS)});
                for (var e : ops.entrySet()) {
                    expect(failures, where + " " + e.getKey() + " alice", outcome(e.getValue()[0]), "");
                    expect(failures, where + " " + e.getKey() + " eve", outcome(e.getValue()[1]), "permission denied");
                }
                expect(failures, where + " LeaseRevoke alice", outcome(() -> alice.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS)), "");

                // admin-only calls: root yes, alice no
                Map<String, java.util.function.Function<Client, Callable<?>>> admin = new LinkedHashMap<>();
                admin.put("Compact", c -> () -> c.getKVClient().compact(
                    root.getKVClient().put(bs("k/c"), bs("x")).get(10, TimeUnit.SECONDS).getHeader().getRevision()).get(10, TimeUnit.SECONDS));
                admin.put("Status", c -> () -> c.getMaintenanceClient().statusMember(ep).get(10, TimeUnit.SECONDS));
                admin.put("HashKV", c -> () -> c.getMaintenanceClient().hashKV(ep, 0).get(10, TimeUnit.SECONDS));
                admin.put("Defragment", c -> () -> c.getMaintenanceClient().defragmentMember(ep).get(10, TimeUnit.SECONDS));
                admin.put("UserList", c -> () -> c.getAuthClient().userList().get(10, TimeUnit.SECONDS));
                admin.put("RoleAdd", c -> () -> c.getAuthClient().roleAdd(bs("r-" + where + "-" + System.nanoTime())).get(10, TimeUnit.SECONDS));
                admin.put("MemberAdd", c -> () -> {
                    // root's add must be undone at once, or the cluster loses quorum on the next call
                    var added = c.getClusterClient().addMember(List.of(URI.create("http://127.0.0.1:1"))).get(10, TimeUnit.SECONDS);
                    return c.getClusterClient().removeMember(added.getMember().getId()).get(10, TimeUnit.SECONDS);
                });
                for (var e : admin.entrySet()) {
                    expect(failures, where + " " + e.getKey() + " root", outcome(e.getValue().apply(root)), "");
                    expect(failures, where + " " + e.getKey() + " alice", outcome(e.getValue().apply(alice)), "permission denied");
                }
                // calls that only need some user (etcd 3.4.45)
                Map<String, java.util.function.Function<Client, Callable<?>>> anyUser = new LinkedHashMap<>();
                anyUser.put("MemberList", c -> () -> c.getClusterClient().listMember().get(10, TimeUnit.SECONDS));
                anyUser.put("AlarmList", c -> () -> c.getMaintenanceClient().listAlarms().get(10, TimeUnit.SECONDS));
                anyUser.put("LeaseGrant", c -> () -> c.getLeaseClient().grant(5).get(10, TimeUnit.SECONDS));
                anyUser.put("UserGet(self)", c -> () -> c.getAuthClient().userGet(bs("alice")).get(10, TimeUnit.SECONDS));
                for (var e : anyUser.entrySet()) {
                    expect(failures, where + " " + e.getKey() + " alice", outcome(e.getValue().apply(alice)), "");
                    if (!e.getKey().startsWith("UserGet")) {
                        expect(failures, where + " " + e.getKey() + " nobody", outcome(e.getValue().apply(nobody)), "user name is empty");
                    }
                }
                expect(failures, where + " UserGet(other) eve", outcome(() -> eve.getAuthClient().userGet(bs("alice")).get(10, TimeUnit.SECONDS)), "permission denied");
                expect(failures, where + " Put nobody", outcome(() -> nobody.getKVClient().put(bs("k/a"), bs("1")).get(10, TimeUnit.SECONDS)), "user name is empty");
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void gatewayMatrixOnLeaderAndFollower() throws Exception {
        List<String> failures = new ArrayList<>();
        int leader = cluster.leader();
        for (int m : new int[] {leader, (leader + 2) % 3}) {
            String where = m == leader ? "leader" : "follower";
            String base = cluster.members.get(m).endpoint();
            String alice = token(base, "alice", "alicepw");
            String eve = token(base, "eve", "evepw");
            String root = token(base, "root", "rootpw");
            String put = new JsonObject().put("key", b64("k/g")).put("value", b64("v")).encode();
            String range = new JsonObject().put("key", b64("k/g")).encode();
            expect(failures, where + " put alice", post(base, "/v3/kv/put", put, alice), "");
            expect(failures, where + " put eve", post(base, "/v3/kv/put", put, eve), "permission denied");
            expect(failures, where + " put nobody", post(base, "/v3/kv/put", put, null), "user name is empty");
            expect(failures, where + " range alice", post(base, "/v3/kv/range", range, alice), "");
            expect(failures, where + " range eve", post(base, "/v3/kv/range", range, eve), "permission denied");
            expect(failures, where + " deleterange eve", post(base, "/v3/kv/deleterange", range, eve), "permission denied");
            expect(failures, where + " status alice", post(base, "/v3/maintenance/status", "{}", alice), "permission denied");
            expect(failures, where + " status root", post(base, "/v3/maintenance/status", "{}", root), "");
            expect(failures, where + " user list alice", post(base, "/v3/auth/user/list", "{}", alice), "permission denied");
            expect(failures, where + " user list root", post(base, "/v3/auth/user/list", "{}", root), "");
            expect(failures, where + " member list nobody", post(base, "/v3/cluster/member/list", "{}", null), "user name is empty");
            expect(failures, where + " member list eve", post(base, "/v3/cluster/member/list", "{}", eve), "");
            expect(failures, where + " bad token", post(base, "/v3/kv/range", range, "not-a-token.1"), "invalid auth token");
            // Leases lists every lease: the caller must be able to read all their keys (etcd 3.4.45)
            String grant = post(base, "/v3/lease/grant", new JsonObject().put("TTL", "60").encode(), alice, true);
            String leaseId = new JsonObject(grant).getString("ID");
            expect(failures, where + " put with lease alice", post(base, "/v3/kv/put", new JsonObject().put("key", b64("k/gl"))
                .put("value", b64("v")).put("lease", leaseId).encode(), alice), "");
            expect(failures, where + " leases eve", post(base, "/v3/lease/leases", "{}", eve), "permission denied");
            expect(failures, where + " leases alice", post(base, "/v3/lease/leases", "{}", alice), "");
            expect(failures, where + " revoke eve", post(base, "/v3/lease/revoke", new JsonObject().put("ID", leaseId).encode(), eve), "permission denied");
            expect(failures, where + " revoke alice", post(base, "/v3/lease/revoke", new JsonObject().put("ID", leaseId).encode(), alice), "");
            String watch = new JsonObject().put("create_request", new JsonObject().put("key", b64("k/g"))).encode();
            expect(failures, where + " watch eve", firstWatchLine(base, watch, eve).contains("\"canceled\":true")
                && firstWatchLine(base, watch, eve).contains("permission denied") ? "" : "not canceled", "");
            expect(failures, where + " watch alice", firstWatchLine(base, watch, alice).contains("\"created\":true")
                && !firstWatchLine(base, watch, alice).contains("canceled") ? "" : "not created", "");
        }
        assertEquals(List.of(), failures);
    }

    private static String token(String base, String user, String pw) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v3/auth/authenticate"))
            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("name", user).put("password", pw).encode())).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        return new JsonObject(body).getString("token");
    }

    /** Empty on HTTP 200, else the gateway's error text. */
    private static String post(String base, String path, String body, String token) throws Exception {
        return post(base, path, body, token, false);
    }

    private static String post(String base, String path, String body, String token, boolean wantBody) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", token);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (wantBody) return r.body();
        return r.statusCode() == 200 ? "" : r.body();
    }

    private static String firstWatchLine(String base, String body, String token) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/v3/watch")).header("Authorization", token)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<java.util.stream.Stream<String>> resp = HTTP.send(r, HttpResponse.BodyHandlers.ofLines());
        try (var lines = resp.body()) {
            return lines.findFirst().orElse("");
        }
    }
}
