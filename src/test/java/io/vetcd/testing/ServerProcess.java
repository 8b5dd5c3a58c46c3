package io.vetcd.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A member in its own process: a vetcd JVM (the same Launcher the fat jar
 * runs) or a real etcd, started with etcd's flags on free loopback ports.
 * Stopping is by pid: SIGKILL for crash tests, SIGTERM otherwise.
 */
public final class ServerProcess implements AutoCloseable {
    public final Process process;
    public final int clientPort;
    public final int peerPort;
    public final Path dataDir;
    /** A temp dir this class created for the process, deleted on {@link #close()}; null when the caller owns the dir. */
    private Path ownedDir;
    private final StringBuffer log = new StringBuffer();

    private ServerProcess(List<String> cmd, int clientPort, int peerPort, Path dataDir) throws IOException, InterruptedException {
        this(cmd, Map.of(), clientPort, peerPort, dataDir);
    }

    private ServerProcess(List<String> cmd, Map<String, String> env, int clientPort, int peerPort, Path dataDir)
            throws IOException, InterruptedException {
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.dataDir = dataDir;
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        this.process = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.append(line).append('\n');
                    if (line.contains("ready to serve client requests")) ready.countDown();
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "server-output");
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("server did not become ready:\n" + log);
        }
    }

    public static ServerProcess vetcd(Path dataDir, int clientPort, int peerPort, String... extra) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
            "io.vetcd.node.Launcher"));
        cmd.addAll(flags(dataDir, clientPort, peerPort));
        cmd.addAll(List.of(extra));
        return new ServerProcess(cmd, clientPort, peerPort, dataDir);
    }

    /** A vetcd JVM with these JVM options instead of the default heap (e.g. a heap cap for memory tests). */
    public static ServerProcess vetcdJvm(List<String> jvmOptions, Path dataDir, int clientPort, int peerPort, String... extra)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.vetcd.node.Launcher"));
        cmd.addAll(flags(dataDir, clientPort, peerPort));
        cmd.addAll(List.of(extra));
        return new ServerProcess(cmd, clientPort, peerPort, dataDir);
    }

    /** A vetcd JVM with exactly these arguments and extra environment (for config-file and env tests). */
    public static ServerProcess vetcdWith(Map<String, String> env, int clientPort, int peerPort, Path dataDir, List<String> args)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
            "io.vetcd.node.Launcher"));
        cmd.addAll(args);
        return new ServerProcess(cmd, env, clientPort, peerPort, dataDir);
    }

    public static ServerProcess vetcd(String... extra) throws Exception {
        ServerProcess p = vetcd(TempDirs.create("vetcd-proc"), Ports.free(), Ports.free(), extra);
        p.ownedDir = p.dataDir;
        return p;
    }

    public static ServerProcess realEtcd(String... extra) throws Exception {
        Path dir = TempDirs.create("etcd-real");
        int c = Ports.free();
        int p = Ports.free();
        List<String> cmd = new ArrayList<>(List.of("etcd"));
        cmd.addAll(flags(dir.resolve("data"), c, p));
        cmd.addAll(List.of(extra));
        ServerProcess s = new ServerProcess(cmd, c, p, dir);
        s.ownedDir = dir;
        return s;
    }

    /** A real etcd with exactly these arguments (e.g. a discovery bootstrap, which must not name --initial-cluster). */
    public static ServerProcess realEtcdWith(int clientPort, int peerPort, Path dataDir, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("etcd"));
        cmd.addAll(args);
        return new ServerProcess(cmd, clientPort, peerPort, dataDir);
    }

    /** A real etcd on an existing data dir (e.g. one made by {@code etcdctl snapshot restore --name node1}). */
    public static ServerProcess realEtcdOn(Path dataDir, int clientPort, int peerPort, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("etcd"));
        cmd.addAll(flags(dataDir, clientPort, peerPort));
        cmd.addAll(List.of(extra));
        return new ServerProcess(cmd, clientPort, peerPort, dataDir);
    }

    private static List<String> flags(Path dataDir, int clientPort, int peerPort) {
        return memberFlags("node1", dataDir, clientPort, peerPort);
    }

    /** etcd's flags for a one-member cluster on loopback ports; the same for etcd and vetcd. */
    public static List<String> memberFlags(String name, Path dataDir, int clientPort, int peerPort) {
        return List.of("--name", name, "--data-dir", dataDir.toString(),
            "--listen-client-urls", "http://127.0.0.1:" + clientPort,
            "--advertise-client-urls", "http://127.0.0.1:" + clientPort,
            "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
            "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
            "--initial-cluster", name + "=http://127.0.0.1:" + peerPort);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    public String output() {
        return log.toString();
    }

    /** kill -9: no shutdown hook, no flush; only what was fsynced survives. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) kill9();
        }
        TempDirs.delete(ownedDir);
    }
}
