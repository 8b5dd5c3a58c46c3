package io.vetcd.clients;

import io.vetcd.testing.AgainstRealEtcd;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A client's own script (src/test/clients/...) run once against a real etcd 3.4 and once against
 * vetcd, both fresh (one pair per test class, from {@link AgainstRealEtcd}). The script prints a
 * transcript with revisions, ids and ports normalised and ends with {@code DONE}; the two
 * transcripts must be equal line for line.
 */
abstract class ClientTranscripts extends AgainstRealEtcd {
    static final Path CLIENTS = Path.of("src/test/clients").toAbsolutePath();

    record Run(int exitCode, List<String> stdout, String stderr) {
        String show() {
            return "exit " + exitCode + "\n--- stdout\n" + String.join("\n", stdout) + "\n--- stderr\n" + stderr;
        }
    }

    /** A script started in its directory, its output going to temp files. */
    static final class Running {
        final Process process;
        final Path out;
        final Path err;
        final long deadlineNanos;
        final int seconds;

        Running(Path dir, List<String> cmd, int seconds) throws IOException {
            this.out = Files.createTempFile("client-out", ".txt");
            this.err = Files.createTempFile("client-err", ".txt");
            this.seconds = seconds;
            this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            this.process = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().close();
        }

        /** Waits for the script until its deadline, then kills it (and what it started). */
        Run finish() throws IOException, InterruptedException {
            try {
                long left = Math.max(0, deadlineNanos - System.nanoTime());
                boolean done = process.waitFor(left, TimeUnit.NANOSECONDS);
                if (!done) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
                List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
                String stderr = Files.readString(err, StandardCharsets.UTF_8);
                return new Run(done ? process.exitValue() : -1, lines,
                    done ? stderr : stderr + "\n<killed after " + seconds + " s>");
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
    }

    /** Skips (with the reason) when a tool is absent; CI installs them all (.ci/run). */
    static void assumeRuns(String why, String... cmd) {
        boolean ok;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            if (p.isAlive()) p.destroyForcibly();
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, why + " (" + String.join(" ", cmd) + " failed)");
    }

    /**
     * The script against etcd and against vetcd (both at once: each has its own server, and the
     * scripts spend most of their time waiting for TTLs and watches): both must pass their own
     * checks (exit 0, last line DONE) and print the same transcript.
     */
    static void assertSameTranscript(Path dir, List<String> scriptCommand, int seconds) throws Exception {
        assertSameTranscript(dir, scriptCommand, seconds, Map.of());
    }

    /**
     * As above, where {@code laterEtcd} maps a line of etcd 3.4.23's transcript to the line vetcd
     * prints instead because it follows a later etcd release there (README "Auth": security fixes
     * after 3.4.23, and 3.5's AuthStatus). Each such line must appear in etcd's transcript, so the map cannot go stale.
     */
    static void assertSameTranscript(Path dir, List<String> scriptCommand, int seconds, Map<String, String> laterEtcd)
            throws Exception {
        Running onEtcd = startOn(dir, scriptCommand, etcd.endpoint(), seconds);
        Running onVetcd = startOn(dir, scriptCommand, vetcd.endpoint(), seconds);
        Run expected = onEtcd.finish();
        Run actual = onVetcd.finish();
        if (expected.exitCode() != 0 || !last(expected).equals("DONE")) fail("the script failed against real etcd:\n" + expected.show());
        List<String> wanted = new ArrayList<>(expected.stdout());
        for (Map.Entry<String, String> e : laterEtcd.entrySet()) {
            int i = wanted.indexOf(e.getKey());
            if (i < 0) fail("etcd's transcript no longer has the line <" + e.getKey() + ">:\n" + expected.show());
            wanted.set(i, e.getValue());
        }
        assertSame(wanted, actual.stdout(), actual);
        if (actual.exitCode() != 0 || !last(actual).equals("DONE")) fail("the script failed against vetcd:\n" + actual.show());
    }

    /** Line-by-line, so a failure names the first differing step. */
    static void assertSame(List<String> expected, List<String> actual, Run run) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                assertEquals(expected.get(i), actual.get(i), "transcript line " + (i + 1) + " differs (etcd vs vetcd); vetcd run:\n" + run.show());
            }
        }
        assertEquals(expected.size(), actual.size(), "transcript lengths differ; etcd:\n" + String.join("\n", expected)
            + "\nvetcd run:\n" + run.show());
    }

    private static Running startOn(Path dir, List<String> scriptCommand, String endpoint, int seconds) throws IOException {
        List<String> cmd = new ArrayList<>(scriptCommand);
        String hostPort = endpoint.substring("http://".length());
        cmd.add(hostPort.substring(0, hostPort.lastIndexOf(':')));
        cmd.add(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        return new Running(dir, cmd, seconds);
    }

    private static String last(Run r) {
        return r.stdout().isEmpty() ? "" : r.stdout().get(r.stdout().size() - 1);
    }
}
