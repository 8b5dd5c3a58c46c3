package io.vetcd.e2e;

import io.vetcd.testing.Cli;
import io.vetcd.testing.ServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --auto-compaction-mode periodic --auto-compaction-retention 2s} on a real etcd 3.4 and on
 * vetcd: 20 puts over about 10 s, then reading revision 2 fails with etcd's compacted error on both,
 * and vetcd logs the compaction as etcd does.
 */
class AutoCompactionDifferentialTest {
    private static final String[] FLAGS = {"--auto-compaction-mode", "periodic", "--auto-compaction-retention", "2s"};

    @Test
    void periodicRetentionCompactsOldRevisionsLikeEtcd() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        try (ServerProcess etcd = ServerProcess.realEtcd(FLAGS); ServerProcess vetcd = ServerProcess.vetcd(FLAGS)) {
            for (int i = 0; i < 20; i++) {
                long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                assertEquals(0, Cli.etcdctl(etcd.endpoint(), "put", "k", "v" + i).exitCode());
                assertEquals(0, Cli.etcdctl(vetcd.endpoint(), "put", "k", "v" + i).exitCode());
                long wait = next - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // paces the writes over ~10 s, as the scenario says
            }
            Cli.Result fromEtcd = compactedRead(etcd.endpoint());
            Cli.Result fromVetcd = compactedRead(vetcd.endpoint());
            assertTrue(fromEtcd.output().contains("mvcc: required revision has been compacted"), fromEtcd.output());
            assertEquals(fromEtcd.exitCode(), fromVetcd.exitCode());
            assertEquals(lastLine(fromEtcd.output()), lastLine(fromVetcd.output()));
            assertTrue(vetcd.output().matches("(?s).*I \\| compactor: Starting auto-compaction at revision \\d+ \\(retention: 2s\\).*"
                + "I \\| compactor: Finished auto-compaction at revision \\d+.*"), vetcd.output());
        }
    }

    /** The first compaction is due 2 s after start; by now it has run many times. Bounded wait. */
    private static Cli.Result compactedRead(String endpoint) throws InterruptedException {
        Cli.Result r = null;
        for (int i = 0; i < 50; i++) {
            r = Cli.etcdctl(endpoint, "get", "k", "--rev=2");
            if (r.output().contains("compacted")) return r;
            Thread.sleep(200);
        }
        return r;
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }
}
