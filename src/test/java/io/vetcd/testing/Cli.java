package io.vetcd.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command-line tool (etcdctl, curl) and captures its combined output. */
public final class Cli {
    public record Result(int exitCode, String output) {}

    /** Stdout kept as bytes (etcdctl {@code -w protobuf} prints a binary message), stderr apart. */
    public record RawResult(int exitCode, byte[] stdout, String stderr) {}

    private Cli() {}

    public static Result run(List<String> cmd) {
        return run(cmd, null);
    }

    public static Result run(List<String> cmd, String stdin) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("ETCDCTL_API", "3");
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Result etcdctl(String endpoint, String... args) {
        return run(etcdctlCommand(endpoint, args));
    }

    /**
     * etcdctl, tried up to {@code attempts} times {@code pauseMs} apart until it exits 0 (a new cluster's first
     * election, a leader change after a member stopped: they fail a request on etcd too); fails the test
     * with the last output otherwise.
     */
    public static Result etcdctlUntilOk(String endpoint, int attempts, long pauseMs, String... args) throws InterruptedException {
        Result r = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            r = etcdctl(endpoint, args);
            if (r.exitCode() == 0) return r;
            Thread.sleep(pauseMs);
        }
        throw new AssertionError("etcdctl " + String.join(" ", args) + " failed " + attempts + " times: " + r.output());
    }

    public static Result etcdctlWithInput(String endpoint, String stdin, String... args) {
        return run(etcdctlCommand(endpoint, args), stdin);
    }

    public static RawResult etcdctlRaw(String endpoint, String... args) {
        return runRaw(etcdctlCommand(endpoint, args));
    }

    /**
     * etcdctl with room for a loaded machine: 20 s per command and, when it authenticates, 10 s to
     * dial (etcdctl authenticates inside its dial, 2 s by default; a member's first Authenticate after
     * a start, a bcrypt and a proposal on a cold JVM, took 2.4 s at load average 18 in a CI run).
     */
    private static List<String> etcdctlCommand(String endpoint, String... args) {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint, "--command-timeout", "20s"));
        for (String a : args) {
            if (a.equals("--user") || a.startsWith("--user=")) {
                cmd.addAll(List.of("--dial-timeout", "10s"));
                break;
            }
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static RawResult runRaw(List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("ETCDCTL_API", "3");
            Process p = pb.start();
            p.getOutputStream().close();
            var err = new java.util.concurrent.CompletableFuture<byte[]>();
            Thread t = new Thread(() -> {
                try {
                    err.complete(p.getErrorStream().readAllBytes());
                } catch (IOException e) {
                    err.completeExceptionally(e);
                }
            });
            t.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            return new RawResult(p.exitValue(), out, new String(err.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static boolean available(String tool) {
        try {
            return new ProcessBuilder("which", tool).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
