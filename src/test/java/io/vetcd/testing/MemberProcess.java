package io.vetcd.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One cluster member as a child process whose name, loopback ports and data dir stay while the
 * implementation may change between starts: real etcd ({@code etcd} on the PATH) or a vetcd JVM.
 * Output is kept in {@link #log}; only pids started here are signalled.
 */
public final class MemberProcess {
    public enum Kind { ETCD, VETCD }

    public final String name;
    public final int clientPort = Ports.free();
    public final int peerPort = Ports.free();
    public final Path dataDir;
    public final StringBuffer log = new StringBuffer();
    public volatile Kind kind;
    private volatile Process process;

    public MemberProcess(String name, Path dataDir) {
        this.name = name;
        this.dataDir = dataDir;
    }

    public String endpoint() { return "127.0.0.1:" + clientPort; }

    public String peerUrl() { return "http://127.0.0.1:" + peerPort; }

    public boolean running() { return process != null && process.isAlive(); }

    /** Starts and waits until it serves clients; fails (with the output) if it does not within the timeout. */
    public void start(Kind k, String initialCluster, String state, List<String> extraFlags, long timeoutSeconds) throws Exception {
        Process p = launch(k, initialCluster, state, extraFlags);
        CountDownLatch ready = new CountDownLatch(1);
        follow(p, ready);
        if (!ready.await(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " as " + k + " did not become ready:\n" + tail());
        }
    }

    /** Starts and waits for the process to exit by itself (a start that must be refused); its exit code. */
    public int startExpectingExit(Kind k, String initialCluster, String state, List<String> extraFlags, long timeoutSeconds)
            throws Exception {
        Process p = launch(k, initialCluster, state, extraFlags);
        Thread reader = follow(p, new CountDownLatch(1));
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " as " + k + " kept running:\n" + tail());
        }
        reader.join(TimeUnit.SECONDS.toMillis(10)); // it ends at the output's end: every last line is in the log
        process = null;
        return p.exitValue();
    }

    private Process launch(Kind k, String initialCluster, String state, List<String> extraFlags) throws IOException {
        kind = k;
        List<String> cmd = new ArrayList<>();
        if (k == Kind.ETCD) {
            cmd.add("etcd");
        } else {
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "io.vetcd.node.Launcher"));
        }
        cmd.addAll(List.of("--name", name, "--data-dir", dataDir.toString(),
            "--listen-client-urls", "http://" + endpoint(), "--advertise-client-urls", "http://" + endpoint(),
            "--listen-peer-urls", peerUrl(), "--initial-advertise-peer-urls", peerUrl(),
            "--initial-cluster", initialCluster, "--initial-cluster-state", state));
        cmd.addAll(extraFlags);
        log.append("---- start as ").append(k).append('\n');
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return process;
    }

    /** Copies the process's output into the log on a thread of its own, which ends with the output; that thread. */
    private Thread follow(Process p, CountDownLatch ready) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.append(line).append('\n');
                    if (line.contains("ready to serve client requests")) ready.countDown();
                }
            } catch (IOException ignored) {
                // gone
            }
        }, "out-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** kill -9: nothing is flushed, only what was written survives. */
    public void kill9() throws InterruptedException {
        Process p = process;
        if (p == null) return;
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        process = null;
    }

    /** SIGTERM (etcd and vetcd both stop cleanly), SIGKILL after 30 s. */
    public void stop() throws InterruptedException {
        Process p = process;
        if (p == null) return;
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    public String tail() {
        String s = log.toString();
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }
}
