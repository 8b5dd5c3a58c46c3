package io.vetcd.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;
import io.vetcd.testing.TempDirs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The raft log is bounded by bytes as well as by --snapshot-count (server/RaftLogBudget): with a 2 MiB
 * budget, 8 MiB of puts under the default --snapshot-count 100000 must snapshot several times, which
 * releases WAL segments (64 KiB here, so the count shows it: ~130 without a snapshot). With --max-wals 5
 * the count at any moment lies between 5 (right after a snapshot's release) and 5 plus the ~16 segments
 * that the next 1 MiB (half the budget) fills, plus whatever a busy machine's backend flush has not yet
 * released; where the last put falls in that cycle is chance, so the bound is a quarter of the unbounded
 * count. Before the budget, 300k x 512 B puts in 100-put txns filled a 256 MiB heap and the member died of
 * OutOfMemoryError. Every key is there after a restart.
 */
class RaftLogBytesProcessTest {
    static final List<String> JVM = List.of("-Xmx256m", "-Dvetcd.wal.segment-bytes=65536", "-Dvetcd.raft.logBytes=2m");

    @Test
    void bigEntriesSnapshotBeforeTheEntryCount() throws Exception {
        Path data = TempDirs.create("raft-log-bytes").resolve("data");
        int client = Ports.free();
        int peer = Ports.free();
        String[] flags = {"--max-wals", "5"};
        String value = "v".repeat(2048);
        try {
            try (ServerProcess p = ServerProcess.vetcdJvm(JVM, data, client, peer, flags);
                 Client c = Client.builder().endpoints(p.endpoint()).build()) {
                for (int i = 0; i < 4000; i += 50) {
                    List<CompletableFuture<?>> batch = new ArrayList<>();
                    for (int j = i; j < i + 50; j++) batch.add(c.getKVClient().put(MaxWalsProcessTest.bs("k" + j), MaxWalsProcessTest.bs(value)));
                    CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                }
            }
            int files = MaxWalsProcessTest.walFiles(data);
            System.out.printf("raft log budget 2 MiB: %d WAL files after 4000 puts of 2 KiB%n", files);
            assertTrue(files <= 32, "no snapshot by bytes: " + files + " WAL files of 64 KiB left");
            try (ServerProcess p = ServerProcess.vetcdJvm(JVM, data, client, peer, flags);
                 Client c = Client.builder().endpoints(p.endpoint()).build()) {
                for (int j : new int[]{0, 1999, 3999}) {
                    assertEquals(1, c.getKVClient().get(MaxWalsProcessTest.bs("k" + j)).get(30, TimeUnit.SECONDS).getCount(), "k" + j + " after restart");
                }
            }
        } finally {
            TempDirs.delete(data.getParent());
        }
    }
}
