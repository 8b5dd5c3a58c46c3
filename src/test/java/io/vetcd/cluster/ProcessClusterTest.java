package io.vetcd.cluster;

import io.vetcd.testing.TempDirs;

import io.vetcd.testing.Cli;
import io.vetcd.testing.Ports;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three JVMs started by deploy/local-cluster.sh, driven by etcdctl: member
 * list, endpoint status, puts on one and linearizable gets on each; kill -9
 * of the leader, writes go on, the leader comes back, hashkv equal on all.
 */
class ProcessClusterTest {
    private static Cli.Result script(Path dir, String cmd, String baseClient, String basePeer) {
        ProcessBuilder pb = new ProcessBuilder("bash", "deploy/local-cluster.sh", cmd, dir.toString());
        pb.environment().put("BASE_CLIENT", baseClient);
        pb.environment().put("BASE_PEER", basePeer);
        pb.environment().put("VETCD_JAVA_OPTS", "-Xmx256m");
        pb.environment().put("VETCD_CLASSPATH", System.getProperty("java.class.path"));
        try {
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return new Cli.Result(p.waitFor(), out);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void killLeaderWritesContinueRestartConverges() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl"));
        Path dir = TempDirs.create("vetcd-proc-cluster");
        // the script uses base+1..base+3; a just-freed ephemeral port and its neighbours are very likely free
        int bc = Ports.free() - 4;
        int bp = Ports.free() - 4;
        String c = String.valueOf(bc), p = String.valueOf(bp);
        try {
            Cli.Result start = script(dir, "start", c, p);
            assertEquals(0, start.exitCode(), start.output());
            String all = "127.0.0.1:" + (bc + 1) + ",127.0.0.1:" + (bc + 2) + ",127.0.0.1:" + (bc + 3);
            Cli.Result members = Cli.etcdctl(all, "member", "list");
            assertEquals(3, members.output().lines().filter(l -> l.contains("started")).count(), members.output());
            for (int i = 0; i < 30; i++) {
                Cli.Result put = Cli.etcdctl("127.0.0.1:" + (bc + 1 + i % 3), "put", "k" + i, "v" + i);
                assertEquals(0, put.exitCode(), "put k" + i + ": " + put.output());
            }
            for (int m = 1; m <= 3; m++) {
                assertTrue(Cli.etcdctl("127.0.0.1:" + (bc + m), "get", "k29").output().contains("v29"), "linearizable read on member " + m);
            }
            int leader = leader(all, bc);
            long pid = Long.parseLong(Files.readString(dir.resolve("n" + leader + ".pid")).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
            String survivors = List.of(1, 2, 3).stream().filter(m -> m != leader).map(m -> "127.0.0.1:" + (bc + m))
                .reduce((a, b) -> a + "," + b).orElseThrow();
            // a proposal forwarded to the dead leader times out, as in etcd: clients retry until a new leader serves
            long deadline = System.nanoTime() + 30_000_000_000L;
            for (int i = 30; i < 60; i++) {
                Cli.Result r = Cli.etcdctl(survivors, "put", "k" + i, "v" + i);
                while (r.exitCode() != 0 && System.nanoTime() < deadline) r = Cli.etcdctl(survivors, "put", "k" + i, "v" + i);
                assertEquals(0, r.exitCode(), r.output());
            }
            Files.deleteIfExists(dir.resolve("n" + leader + ".pid"));
            Cli.Result restart = script(dir, "start", c, p);
            assertEquals(0, restart.exitCode(), restart.output());
            // the restarted member catches up: its linearizable read sees the last write (asked until it serves)
            long caughtUp = System.nanoTime() + 30_000_000_000L;
            Cli.Result got = Cli.etcdctl("127.0.0.1:" + (bc + leader), "get", "k59");
            while (!got.output().contains("v59") && System.nanoTime() < caughtUp) {
                Thread.sleep(200);
                got = Cli.etcdctl("127.0.0.1:" + (bc + leader), "get", "k59");
            }
            assertTrue(got.output().contains("v59"), got.output());
            // every member applied the same history (a follower may still be applying the last entries)
            Cli.Result hash;
            List<String> hashes;
            do {
                hash = Cli.etcdctl(all, "endpoint", "hashkv", "-w", "json");
                hashes = Pattern.compile("\"hash\":(\\d+)").matcher(hash.output()).results().map(r -> r.group(1)).distinct().toList();
            } while (hashes.size() != 1 && System.nanoTime() < caughtUp && sleep(200));
            assertEquals(1, hashes.size(), "hashkv equal on all members: " + hash.output());
        } finally {
            script(dir, "stop", c, p);
        }
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    private static int leader(String endpoints, int baseClient) {
        Cli.Result st = Cli.etcdctl(endpoints, "endpoint", "status");
        for (String line : st.output().lines().toList()) {
            // endpoint, id, version, db size, is leader, ...
            String[] f = line.split(",\\s*");
            if (f.length > 4 && f[4].equals("true")) return Integer.parseInt(f[0].substring(f[0].lastIndexOf(':') + 1)) - baseClient;
        }
        throw new IllegalStateException("no leader: " + st.output());
    }
}
