package io.vetcd.discovery;

import io.vetcd.testing.Cli;
import io.vetcd.testing.Eventually;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clusters that find each other, as etcd's do: three members bootstrapped from DNS SRV records
 * served by a real DNS server (dnsmasq on a loopback port), and a mixed cluster of vetcd and real etcd
 * members bootstrapped through etcd's v2 discovery protocol on a real etcd started with
 * {@code --enable-v2} — which only works if vetcd derives member ids from the discovery token exactly
 * as etcd does.
 */
class DiscoveryBootstrapTest {
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) started.get(i).close();
    }

    private static List<String> memberArgs(String name, Path dir, int client, int peer) {
        return new ArrayList<>(List.of("--name", name, "--data-dir", dir.toString(),
            "--listen-client-urls", "http://127.0.0.1:" + client, "--advertise-client-urls", "http://127.0.0.1:" + client,
            "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer));
    }

    @Test
    void threeMembersBootstrapFromSrvRecords() throws Exception {
        Assumptions.assumeTrue(Cli.available("dnsmasq") || java.nio.file.Files.isExecutable(Path.of("/usr/sbin/dnsmasq")),
            "dnsmasq (apt dnsmasq-base) is not installed");
        int[] client = {Ports.free(), Ports.free(), Ports.free()};
        int[] peer = {Ports.free(), Ports.free(), Ports.free()};
        int dnsPort = Ports.free();
        List<String> dns = new ArrayList<>(List.of("/usr/sbin/dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--bind-interfaces", "--listen-address=127.0.0.1", "--port=" + dnsPort, "--user=root", "--pid-file="));
        for (int p : peer) dns.add("--srv-host=_etcd-server._tcp.vetcd.test,localhost," + p + ",0,0");
        Process dnsmasq = new ProcessBuilder(dns).redirectErrorStream(true).start();
        started.add(() -> {
            dnsmasq.destroy();
            dnsmasq.waitFor(5, TimeUnit.SECONDS);
        });
        waitForLine(dnsmasq, "started", 10);

        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", "-D" + DnsSrvLookup.SERVER_PROPERTY + "=127.0.0.1:" + dnsPort);
        List<CompletableFuture<ServerProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            Path dir = TempDirs.create("vetcd-srv");
            List<String> args = memberArgs("m" + n, dir, client[n], peer[n]);
            args.addAll(List.of("--discovery-srv", "vetcd.test", "--initial-cluster-token", "srv-test"));
            starting.add(CompletableFuture.supplyAsync(() -> startOrFail(() -> ServerProcess.vetcdWith(env, client[n], peer[n], dir, args))));
        }
        for (CompletableFuture<ServerProcess> f : starting) started.add(f.get(120, TimeUnit.SECONDS));

        String members = Cli.etcdctl("http://127.0.0.1:" + client[0], "member", "list").output();
        for (int i = 0; i < 3; i++) {
            assertTrue(members.contains(", started, m" + i + ", http://localhost:" + peer[i] + ", http://127.0.0.1:" + client[i]),
                "member m" + i + " with its SRV peer URL in:\n" + members);
        }
        // "ready" comes before the three have elected a leader on a busy machine: a write may need a moment
        Eventually.until("a put through m1", Duration.ofSeconds(30),
            () -> Cli.etcdctl("http://127.0.0.1:" + client[1], "put", "found", "by-dns").exitCode() == 0);
        assertTrue(Cli.etcdctl("http://127.0.0.1:" + client[2], "get", "found").output().contains("by-dns"));
    }

    @Test
    void vetcdAndEtcdBootstrapOneClusterThroughV2Discovery() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd"), "real etcd is not installed");
        ServerProcess service = ServerProcess.realEtcd("--enable-v2");
        started.add(service);
        String durl = service.endpoint() + "/v2/keys/discovery/" + Long.toHexString(System.nanoTime());
        HttpResponse<String> size = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(durl + "/_config/size"))
            .header("Content-Type", "application/x-www-form-urlencoded").PUT(HttpRequest.BodyPublishers.ofString("value=3")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(201, size.statusCode(), size.body());

        int[] client = {Ports.free(), Ports.free(), Ports.free(), Ports.free()};
        int[] peer = {Ports.free(), Ports.free(), Ports.free(), Ports.free()};
        List<CompletableFuture<ServerProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            Path dir = TempDirs.create("disc");
            List<String> args = memberArgs("m" + n, dir.resolve("data"), client[n], peer[n]);
            args.addAll(List.of("--discovery", durl));
            // m1 is a real etcd: its id, the cluster id and the cluster must be the ones vetcd computes
            starting.add(CompletableFuture.supplyAsync(() -> startOrFail(() -> n == 1
                ? ServerProcess.realEtcdWith(client[n], peer[n], dir, args)
                : ServerProcess.vetcdWith(Map.of(), client[n], peer[n], dir, args))));
        }
        for (CompletableFuture<ServerProcess> f : starting) started.add(f.get(120, TimeUnit.SECONDS));

        String members = Cli.etcdctl("http://127.0.0.1:" + client[0], "member", "list").output();
        for (int i = 0; i < 3; i++) {
            assertTrue(members.contains(", started, m" + i + ", http://127.0.0.1:" + peer[i] + ", http://127.0.0.1:" + client[i]),
                "member m" + i + " in:\n" + members);
        }
        assertEquals(members, Cli.etcdctl("http://127.0.0.1:" + client[1], "member", "list").output(), "etcd sees the same cluster");
        Eventually.until("a put through the etcd member", Duration.ofSeconds(30),
            () -> Cli.etcdctl("http://127.0.0.1:" + client[1], "put", "found", "by-discovery").exitCode() == 0);
        assertTrue(Cli.etcdctl("http://127.0.0.1:" + client[2], "get", "found").output().contains("by-discovery"));

        // a fourth member finds the cluster full and stops with etcd's error
        assertLateMemberFindsTheClusterFull(client[3], peer[3], "--discovery", durl);
    }

    @Test
    void threeMembersBootstrapThroughV3DiscoveryOnAnEtcdRegistry() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd"), "real etcd is not installed");
        ServerProcess registry = ServerProcess.realEtcd();
        started.add(registry);
        String token = "tok-" + Long.toHexString(System.nanoTime());
        assertEquals(0, Cli.etcdctl(registry.endpoint(), "put", "/_etcd/registry/" + token + "/_config/size", "3").exitCode());
        String endpoint = "127.0.0.1:" + registry.clientPort;

        int[] client = {Ports.free(), Ports.free(), Ports.free(), Ports.free()};
        int[] peer = {Ports.free(), Ports.free(), Ports.free(), Ports.free()};
        List<CompletableFuture<ServerProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            Path dir = TempDirs.create("disc3");
            List<String> args = memberArgs("m" + n, dir, client[n], peer[n]);
            args.addAll(List.of("--discovery-token", token, "--discovery-endpoints", endpoint));
            starting.add(CompletableFuture.supplyAsync(() -> startOrFail(() -> ServerProcess.vetcdWith(Map.of(), client[n], peer[n], dir, args))));
        }
        for (CompletableFuture<ServerProcess> f : starting) started.add(f.get(120, TimeUnit.SECONDS));

        String members = Cli.etcdctl("http://127.0.0.1:" + client[0], "member", "list").output();
        for (int i = 0; i < 3; i++) {
            assertTrue(members.contains(", started, m" + i + ", http://127.0.0.1:" + peer[i] + ", http://127.0.0.1:" + client[i]),
                "member m" + i + " in:\n" + members);
        }
        String registered = Cli.etcdctl(registry.endpoint(), "get", "--prefix", "--keys-only", "/_etcd/registry/" + token + "/members/").output();
        assertEquals(3, registered.lines().filter(l -> !l.isBlank()).count(), registered);
        Eventually.until("a put through m2", Duration.ofSeconds(30),
            () -> Cli.etcdctl("http://127.0.0.1:" + client[2], "put", "found", "by-v3-discovery").exitCode() == 0);

        assertLateMemberFindsTheClusterFull(client[3], peer[3], "--discovery-token", token, "--discovery-endpoints", endpoint);
    }

    /** A member started after the cluster is complete stops with etcd's "discovery: cluster is full". */
    private static void assertLateMemberFindsTheClusterFull(int client, int peer, String... discoveryFlags) throws Exception {
        Path dir = TempDirs.create("disc-late");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "io.vetcd.node.Launcher"));
        cmd.addAll(memberArgs("m3", dir.resolve("data"), client, peer));
        cmd.addAll(List.of(discoveryFlags));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "a member that found the cluster full exits");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.exitValue() != 0 && out.contains("discovery: cluster is full"), "exit " + p.exitValue() + ":\n" + out);
        } finally {
            p.destroyForcibly();
            TempDirs.delete(dir);
        }
    }

    private interface Start {
        ServerProcess start() throws Exception;
    }

    private static ServerProcess startOrFail(Start s) {
        try {
            return s.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitForLine(Process p, String text, int seconds) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Void> seen = CompletableFuture.runAsync(() -> {
            try {
                String line;
                StringBuilder all = new StringBuilder();
                while ((line = r.readLine()) != null) {
                    all.append(line).append('\n');
                    if (line.contains(text)) return;
                }
                throw new IllegalStateException("dnsmasq exited:\n" + all);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        seen.get(seconds, TimeUnit.SECONDS);
        // keep draining its output so it never blocks on a full pipe
        Thread drain = new Thread(() -> {
            try {
                while (r.readLine() != null) { /* discard */ }
            } catch (java.io.IOException ignored) {
                // gone
            }
        }, "dnsmasq-output");
        drain.setDaemon(true);
        drain.start();
    }
}
