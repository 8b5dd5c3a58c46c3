package io.vetcd.bench;

import com.google.protobuf.ByteString;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vetcd.pb.etcdserver.KVGrpcClient;
import io.vetcd.pb.etcdserver.RangeRequest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One server process we started (real etcd or a vetcd JVM), on free loopback
 * ports, output to a log file. Stopped by its own pid only (SIGTERM, then
 * SIGKILL after 30 s).
 */
final class ServerProc implements AutoCloseable {
    final String kind;
    final String name;
    final Path dataDir;
    final Path logFile;
    final int clientPort;
    final int peerPort;
    private final List<String> cmd;
    private Process process;

    private ServerProc(String kind, String name, List<String> prefix, Path dataDir, Path logFile, long snapshotCount, List<String> extraFlags) {
        this(kind, name, prefix, dataDir, logFile, snapshotCount, extraFlags, freePort(), freePort(), null);
    }

    /** A member of a cluster: its ports are chosen by the caller, who also knows everyone's peer URL. */
    private ServerProc(String kind, String name, List<String> prefix, Path dataDir, Path logFile, long snapshotCount,
                       List<String> extraFlags, int clientPort, int peerPort, String initialCluster) {
        this.kind = kind;
        this.name = name;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        if (initialCluster == null) initialCluster = name + "=http://127.0.0.1:" + peerPort;
        List<String> c = new ArrayList<>(prefix);
        c.addAll(List.of("--name", name, "--data-dir", dataDir.toString(),
            "--listen-client-urls", "http://127.0.0.1:" + clientPort,
            "--advertise-client-urls", "http://127.0.0.1:" + clientPort,
            "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
            "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
            "--initial-cluster", initialCluster,
            "--snapshot-count", Long.toString(snapshotCount)));
        c.addAll(extraFlags);
        this.cmd = c;
    }

    static ServerProc etcd(String etcdBin, Path dir, long snapshotCount) {
        return new ServerProc("etcd", "etcd1", List.of(etcdBin), dir.resolve("data"), dir.resolve("server.log"), snapshotCount, List.of());
    }

    static ServerProc vetcd(String jar, List<String> javaOpts, Path dir, long snapshotCount) {
        return new ServerProc("vetcd", "vetcd1", vetcdCommand(jar, javaOpts), dir.resolve("data"), dir.resolve("server.log"), snapshotCount, List.of());
    }

    /**
     * When set (bench/compare's --vetcd-launcher, default deploy/vetcd), vetcd is started through
     * it, as the README recommends, with the jar and extra JVM options in its environment; it execs
     * the JVM, so the pid is the JVM's. The launcher picks the runtime as a user's start would (JAVA
     * from this process's environment if set, else the Java 25+ runtime the AOT cache was built for,
     * else java on PATH): it is not told to use the runtime the benchmark itself runs on, which
     * made every bench/compare run use Java 17 + AppCDS instead of the recommended Temurin 25 + AOT cache.
     */
    static String launcher = "";

    static List<String> vetcdCommand(String jar, List<String> javaOpts) {
        if (!launcher.isEmpty()) {
            return List.of("env", "VETCD_JAR=" + jar, "VETCD_JAVA_OPTS=" + String.join(" ", javaOpts), launcher);
        }
        List<String> prefix = new ArrayList<>();
        prefix.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        prefix.addAll(javaOpts);
        prefix.addAll(List.of("-jar", jar));
        return prefix;
    }

    /**
     * {@code size} members of one new cluster, {@code <kind>1..N}, each under {@code dir/<name>}. The first
     * member's command is {@code firstPrefix} (e.g. with a profiler attached), the others' {@code prefix}.
     */
    static List<ServerProc> cluster(String kind, List<String> firstPrefix, List<String> prefix, Path dir, long snapshotCount, int size) {
        int[] client = new int[size];
        int[] peer = new int[size];
        StringBuilder initial = new StringBuilder();
        for (int i = 0; i < size; i++) {
            client[i] = freePort();
            peer[i] = freePort();
            if (i > 0) initial.append(',');
            initial.append(kind).append(i + 1).append("=http://127.0.0.1:").append(peer[i]);
        }
        List<ServerProc> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String name = kind + (i + 1);
            members.add(new ServerProc(kind, name, i == 0 ? firstPrefix : prefix, dir.resolve(name).resolve("data"),
                dir.resolve(name).resolve("server.log"), snapshotCount, List.of(), client[i], peer[i], initial.toString()));
        }
        return members;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String endpoint() { return "127.0.0.1:" + clientPort; }

    long pid() { return process.pid(); }

    boolean isAlive() { return process != null && process.isAlive(); }

    List<String> command() { return cmd; }

    /** Starts the process and returns milliseconds from spawn to the first answered (linearizable) Range. */
    double start() throws IOException {
        long t0 = System.nanoTime();
        spawn();
        waitServed(t0);
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Starts the process without waiting: a cluster's members must all be up before any serves. */
    void spawn() throws IOException {
        Files.createDirectories(logFile.getParent());
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    }

    void waitServed(long t0) {
        waitRangeServed(endpoint(), kind, process, logFile, t0);
    }

    /** Waits (up to 300 s from {@code t0}) until {@code endpoint} answers a linearizable Range; fails if the process exits. */
    static void waitRangeServed(String endpoint, String kind, Process process, Path logFile, long t0) {
        Vertx vertx = Vertx.vertx();
        try {
            long deadline = t0 + TimeUnit.SECONDS.toNanos(300);
            RangeRequest probe = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("bench/probe")).build();
            while (true) {
                if (!process.isAlive()) throw new IllegalStateException(kind + " exited with " + process.exitValue() + "; see " + logFile + "\n" + tail(logFile));
                if (System.nanoTime() > deadline) throw new IllegalStateException(kind + " did not serve within 300 s; see " + logFile);
                GrpcClient g = GrpcClient.client(vertx, new GrpcClientOptions().setTimeout(2).setTimeoutUnit(TimeUnit.SECONDS),
                    new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false).setConnectTimeout(1000));
                try {
                    KVGrpcClient.create(g, Conns.parse(endpoint)).range(probe).toCompletionStage().toCompletableFuture().get(3, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    sleep(5);
                } finally {
                    g.close();
                }
            }
        } finally {
            vertx.close();
        }
    }

    /** VmRSS of the process in KiB (from /proc/PID/status). */
    long rssKb() { return rssKb(process.pid()); }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException e) {
            // gone
        }
        return -1;
    }

    long diskKb() {
        try (var s = Files.walk(dataDir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum() / 1024;
        } catch (IOException e) {
            return -1;
        }
    }

    String tail() { return tail(logFile); }

    static String tail(Path logFile) {
        try {
            List<String> l = Files.readAllLines(logFile);
            return String.join("\n", l.subList(Math.max(0, l.size() - 20), l.size()));
        } catch (IOException e) {
            return "";
        }
    }

    void stop() {
        stop(process);
    }

    /** SIGTERM, then SIGKILL if it is not gone within 30 s; for the members and the proxies the bench starts. */
    static void stop(Process process) {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() { stop(); }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
