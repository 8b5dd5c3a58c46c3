package io.vetcd.e2e;

import io.vetcd.testing.TempDirs;

import io.vetcd.testing.Cli;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ways an operator starts a member: the shipped JSON and sectioned
 * etcd.conf files, etcd's YAML --config-file, ETCD_* variables, and flags.
 * Ports are overridden (flags beat env beat file) so runs don't collide.
 */
class LaunchModesTest {
    private static List<String> portFlags(int c, int p, Path dir) {
        return List.of("--data-dir", dir.toString(),
            "--listen-client-urls", "http://127.0.0.1:" + c, "--advertise-client-urls", "http://127.0.0.1:" + c,
            "--listen-peer-urls", "http://127.0.0.1:" + p, "--initial-advertise-peer-urls", "http://127.0.0.1:" + p,
            "--initial-cluster", "default=http://127.0.0.1:" + p);
    }

    private static void servesKv(ServerProcess s) {
        Assumptions.assumeTrue(Cli.available("etcdctl"));
        assertEquals(0, Cli.etcdctl(s.endpoint(), "put", "mode", "ok").exitCode());
        assertTrue(Cli.etcdctl(s.endpoint(), "get", "mode").output().contains("ok"));
    }

    @Test
    void jsonConfFile() throws Exception {
        int c = Ports.free(), p = Ports.free();
        Path dir = TempDirs.create("mode-json");
        List<String> args = new java.util.ArrayList<>(List.of("-conf", "conf/etcd.json"));
        args.addAll(portFlags(c, p, dir));
        try (ServerProcess s = ServerProcess.vetcdWith(Map.of(), c, p, dir, args)) {
            servesKv(s);
            assertTrue(Cli.etcdctl(s.endpoint(), "member", "list").output().contains(", default, "));
        }
    }

    @Test
    void sectionedEtcdConf() throws Exception {
        int c = Ports.free(), p = Ports.free();
        Path dir = TempDirs.create("mode-conf");
        List<String> args = new java.util.ArrayList<>(List.of("-conf", "conf/etcd.conf"));
        args.addAll(portFlags(c, p, dir));
        try (ServerProcess s = ServerProcess.vetcdWith(Map.of(), c, p, dir, args)) {
            servesKv(s);
        }
    }

    @Test
    void environmentOnly() throws Exception {
        int c = Ports.free(), p = Ports.free();
        Path dir = TempDirs.create("mode-env");
        Map<String, String> env = Map.of(
            "ETCD_NAME", "envnode", "ETCD_DATA_DIR", dir.toString(),
            "ETCD_LISTEN_CLIENT_URLS", "http://127.0.0.1:" + c, "ETCD_ADVERTISE_CLIENT_URLS", "http://127.0.0.1:" + c,
            "ETCD_LISTEN_PEER_URLS", "http://127.0.0.1:" + p, "ETCD_INITIAL_ADVERTISE_PEER_URLS", "http://127.0.0.1:" + p,
            "ETCD_INITIAL_CLUSTER", "envnode=http://127.0.0.1:" + p);
        try (ServerProcess s = ServerProcess.vetcdWith(env, c, p, dir, List.of())) {
            servesKv(s);
            assertTrue(Cli.etcdctl(s.endpoint(), "member", "list").output().contains(", envnode, "));
        }
    }

    @Test
    void yamlConfigFile() throws Exception {
        int c = Ports.free(), p = Ports.free();
        Path dir = TempDirs.create("mode-yaml");
        Path yml = dir.resolve("etcd.yml");
        Files.writeString(yml, String.join("\n",
            "name: yamlnode",
            "data-dir: " + dir.resolve("data"),
            "listen-client-urls: http://127.0.0.1:" + c,
            "advertise-client-urls: http://127.0.0.1:" + c,
            "listen-peer-urls: http://127.0.0.1:" + p,
            "initial-advertise-peer-urls: http://127.0.0.1:" + p,
            "initial-cluster: yamlnode=http://127.0.0.1:" + p, ""));
        try (ServerProcess s = ServerProcess.vetcdWith(Map.of(), c, p, dir, List.of("--config-file", yml.toString()))) {
            servesKv(s);
            assertTrue(Cli.etcdctl(s.endpoint(), "member", "list").output().contains(", yamlnode, "));
        }
    }

    @Test
    void badValueStopsStartupWithOneLine() {
        Cli.Result r = Cli.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "io.vetcd.node.Launcher", "--initial-cluster-state", "maybe"));
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("initial-cluster-state"), r.output());
        Cli.Result unknown = Cli.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "io.vetcd.node.Launcher", "--no-such-flag"));
        assertEquals(1, unknown.exitCode(), unknown.output());
        assertTrue(unknown.output().contains("--no-such-flag"), unknown.output());
    }
}
