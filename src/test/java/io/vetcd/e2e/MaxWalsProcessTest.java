package io.vetcd.e2e;

import io.vetcd.testing.TempDirs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --max-wals on a member process (etcd's purgeFile over member/wal/*.wal): with 64 KiB segments
 * (-Dvetcd.wal.segment-bytes; etcd's are a fixed 64 MiB, which its own tests shrink the same way) and
 * a snapshot every 200 entries, 3000 puts leave at most a handful of files with --max-wals 3, every
 * one of them with 0; both restart with every key.
 */
class MaxWalsProcessTest {
    static final List<String> JVM = List.of("-Xmx512m", "-Dvetcd.wal.segment-bytes=65536");

    @Test
    void maxWalsThreeKeepsFewFiles() throws Exception {
        int files = walFilesAfterPutsAndRestart("3");
        assertTrue(files <= 4, "--max-wals 3 left " + files + " WAL files");
    }

    @Test
    void maxWalsZeroKeepsEveryFile() throws Exception {
        int files = walFilesAfterPutsAndRestart("0");
        assertTrue(files >= 20, "--max-wals 0 left only " + files + " WAL files");
    }

    static int walFilesAfterPutsAndRestart(String maxWals) throws Exception {
        Path data = TempDirs.create("max-wals").resolve("data");
        int client = Ports.free();
        int peer = Ports.free();
        String[] flags = {"--snapshot-count", "200", "--max-wals", maxWals};
        String value = "v".repeat(512);
        try (ServerProcess p = ServerProcess.vetcdJvm(JVM, data, client, peer, flags);
             Client c = Client.builder().endpoints(p.endpoint()).build()) {
            for (int i = 0; i < 3000; i += 50) {
                List<CompletableFuture<?>> batch = new ArrayList<>();
                for (int j = i; j < i + 50; j++) batch.add(c.getKVClient().put(bs("k" + j), bs(value)));
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            }
        }
        int files = walFiles(data);
        try (ServerProcess p = ServerProcess.vetcdJvm(JVM, data, client, peer, flags);
             Client c = Client.builder().endpoints(p.endpoint()).build()) {
            for (int j : new int[]{0, 1499, 2999}) {
                assertEquals(1, c.getKVClient().get(bs("k" + j)).get(30, TimeUnit.SECONDS).getCount(), "k" + j + " after restart");
            }
        }
        System.out.printf("--max-wals %s: %d WAL files after 3000 puts%n", maxWals, files);
        return files;
    }

    static int walFiles(Path data) throws Exception {
        try (Stream<Path> s = Files.list(data.resolve("member").resolve("wal"))) {
            return (int) s.filter(f -> f.getFileName().toString().endsWith(".wal")).count();
        }
    }

    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }
}
