package io.vetcd.cluster;

import io.vetcd.testing.Cli;
import io.vetcd.testing.ProcessCluster;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --initial-election-tick-advance=false}: the members of a new cluster do not fast-forward their
 * election ticks once their peers connect (etcd's adjustTicks skipped, with etcd's log line); they elect
 * a leader after a full election timeout instead, and serve.
 */
class InitialElectionTickAdvanceProcessTest {

    @Test
    void membersThatMayNotAdvanceTheirTicksSayItAndStillElectALeader() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl"), "etcd-client is installed");
        Path root = TempDirs.create("vetcd-tick-advance");
        try (ProcessCluster c = ProcessCluster.startVetcd(root, 3, List.of(), List.of("--initial-election-tick-advance=false"))) {
            Cli.etcdctlUntilOk(String.join(",", c.endpoints()), 20, 1000, "put", "k", "v");
            for (ProcessCluster.Member m : c.members) {
                String log = m.log();
                assertTrue(log.contains("skipping initial election tick advance"), m.name + ": " + log);
                assertFalse(log.contains("fast-forwarded"), m.name + " advanced its ticks: " + log);
            }
        } finally {
            TempDirs.delete(root);
        }
    }
}
