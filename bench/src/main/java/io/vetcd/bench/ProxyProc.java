package io.vetcd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One grpc-proxy process we started in front of a member: real etcd's ({@code etcd grpc-proxy start}) or
 * vetcd's ({@code java -jar node-fat.jar grpc-proxy start}), on a free loopback port, output to a log file.
 * Stopped by its own pid only (SIGTERM, then SIGKILL after 30 s).
 */
final class ProxyProc implements AutoCloseable {
    final String kind;
    final int port;
    final Path logFile;
    private final List<String> cmd;
    private Process process;

    private ProxyProc(String kind, List<String> prefix, String memberEndpoint, Path logFile) {
        this.kind = kind;
        this.port = ServerProc.freePort();
        this.logFile = logFile;
        List<String> c = new ArrayList<>(prefix);
        c.addAll(List.of("grpc-proxy", "start", "--endpoints=" + memberEndpoint, "--listen-addr=127.0.0.1:" + port));
        this.cmd = c;
    }

    static ProxyProc etcd(String etcdBin, String memberEndpoint, Path logFile) {
        return new ProxyProc("etcd", List.of(etcdBin), memberEndpoint, logFile);
    }

    /** Plain {@code java [opts] -jar <jar>}: deploy/vetcd starts members, the proxy is started as the README shows. */
    static ProxyProc vetcd(String jar, List<String> javaOpts, String memberEndpoint, Path logFile) {
        List<String> prefix = new ArrayList<>();
        prefix.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        prefix.addAll(javaOpts);
        prefix.addAll(List.of("-jar", jar));
        return new ProxyProc("vetcd", prefix, memberEndpoint, logFile);
    }

    String endpoint() { return "127.0.0.1:" + port; }

    long pid() { return process.pid(); }

    boolean isAlive() { return process != null && process.isAlive(); }

    List<String> command() { return cmd; }

    /** Starts the proxy and waits until a Range through it is answered (the member behind it must be up). */
    double start() throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(logFile.getParent());
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        ServerProc.waitRangeServed(endpoint(), kind + " grpc-proxy", process, logFile, t0);
        return (System.nanoTime() - t0) / 1e6;
    }

    long rssKb() { return ServerProc.rssKb(process.pid()); }

    void stop() {
        ServerProc.stop(process);
    }

    @Override
    public void close() { stop(); }
}
