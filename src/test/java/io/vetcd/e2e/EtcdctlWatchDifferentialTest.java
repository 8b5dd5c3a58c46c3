package io.vetcd.e2e;

import io.vetcd.testing.AgainstRealEtcd;
import io.vetcd.testing.Cli;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code etcdctl watch} against a real etcd 3.4 and against vetcd: history replay (--rev), then one
 * live write, then the watch is stopped (etcdctl watches until killed). Outputs must be identical
 * after masking ids.
 */
class EtcdctlWatchDifferentialTest extends AgainstRealEtcd {

    /** A watch command, and the put made while it runs (null: none). */
    record Scenario(String[] watchArgs, String[] livePut) {}

    static final List<String[]> SETUP = List.of(
        new String[]{"put", "a", "1"}, new String[]{"put", "b", "2"}, new String[]{"put", "a", "3"},
        new String[]{"del", "a"}, new String[]{"put", "ab", "4"}, new String[]{"put", "b", "5"});

    static final List<Scenario> SCENARIOS = List.of(
        new Scenario(new String[]{"watch", "--rev=1", "a"}, new String[]{"put", "a", "live1"}),
        new Scenario(new String[]{"watch", "--rev=1", "--prefix", "a"}, new String[]{"put", "abc", "live2"}),
        new Scenario(new String[]{"watch", "--rev=1", "--prev-kv", "a"}, new String[]{"put", "a", "live3"}),
        new Scenario(new String[]{"watch", "--rev=2", "a", "b"}, new String[]{"put", "aa", "live4"}),
        new Scenario(new String[]{"watch", "--rev=3", "-w", "json", "b"}, new String[]{"put", "b", "live5"}),
        new Scenario(new String[]{"watch", "--prefix", "--prev-kv", "-w", "json", "a"}, new String[]{"del", "--prefix", "a"}),
        new Scenario(new String[]{"watch", "b"}, null));

    @Test
    void watchOutputMatchesRealEtcd() throws Exception {
        // the two servers are independent: run both sequences at once (each waits on etcdctl)
        var etcdRun = java.util.concurrent.CompletableFuture.supplyAsync(() -> runUnchecked(etcd.endpoint()));
        List<String> actual = run(vetcd.endpoint());
        List<String> expected = etcdRun.get(120, TimeUnit.SECONDS);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), "step " + i);
        }
        assertTrue(expected.get(SETUP.size()).contains("live1"), expected.get(SETUP.size()));
        // every killed etcdctl's connection took its watchers with it
        var hub = vetcd.node.server().watchHub();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hub.watcherCount() != 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(0, hub.watcherCount(), "watchers left behind by closed connections");
    }

    private static List<String> runUnchecked(String endpoint) {
        try {
            return run(endpoint);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> run(String endpoint) throws Exception {
        List<String> out = new ArrayList<>();
        for (String[] s : SETUP) out.add(Cli.etcdctl(endpoint, s).output());
        for (Scenario sc : SCENARIOS) {
            List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint));
            cmd.addAll(List.of(sc.watchArgs()));
            java.nio.file.Path outFile = java.nio.file.Files.createTempFile("etcdctl-watch", ".out");
            // to a file: destroying the process closes its pipes
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(outFile.toFile());
            pb.environment().put("ETCDCTL_API", "3");
            Process p = pb.start();
            try {
                Thread.sleep(1200); // connected and history replayed
                if (sc.livePut() != null) Cli.etcdctl(endpoint, sc.livePut());
                Thread.sleep(800);
            } finally {
                p.destroy(); // by this Process's pid
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String o = java.nio.file.Files.readString(outFile, StandardCharsets.UTF_8);
            java.nio.file.Files.delete(outFile);
            out.add(EtcdctlDifferentialTest.mask(String.join(" ", sc.watchArgs()) + "\n" + o, endpoint)
                .replaceAll("\"watch_id\":\\d+", "\"watch_id\":ID"));
        }
        // a compacted start revision cancels the watch; etcdctl reports it and exits
        Cli.etcdctl(endpoint, "compaction", "5");
        List<String> cmd = List.of("timeout", "5", "etcdctl", "--endpoints", endpoint, "watch", "--rev=2", "a");
        out.add(EtcdctlDifferentialTest.mask(Cli.run(cmd).output(), endpoint));
        return out;
    }
}
