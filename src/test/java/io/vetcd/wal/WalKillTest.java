package io.vetcd.wal;

import io.vetcd.raft.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.vetcd.wal.WalTestSupport.assertEntries;
import static io.vetcd.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real process crash: a child JVM appends and syncs until it is SIGKILLed at an arbitrary moment
 * (mid-write, mid-roll, ...). Every index it reported as synced must be recovered, and appending
 * must work again, several times over.
 */
class WalKillTest {
    @TempDir
    Path tmp;

    @Test
    void killedWriterLosesNothingSynced() throws Exception {
        Path dir = tmp.resolve("wal");
        String cp = Path.of(WalCrashChild.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + File.pathSeparator
                + Path.of(Entry.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        long segmentSize = 16 * 1024;
        for (int round = 0; round < 3; round++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", cp, WalCrashChild.class.getName(), dir.toString(), Long.toString(segmentSize))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            long synced = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                int target = 150 + round * 37;
                int seen = 0;
                while (seen < target && (line = r.readLine()) != null) {
                    synced = Long.parseLong(line.substring("synced ".length()));
                    seen++;
                }
                // SIGKILL (no close(), no shutdown hooks). Not destroyForcibly(): that also closes
                // our end of the pipe, and we still want the lines written before the kill landed.
                new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).inheritIO().start().waitFor();
                // Indexes reported while the kill was in flight were synced too.
                while ((line = r.readLine()) != null) synced = Long.parseLong(line.substring("synced ".length()));
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertTrue(synced > 0, "child made progress");
            try (Wal wal = Wal.open(dir, WalOptions.DEFAULT.withSegmentSize(segmentSize))) {
                List<Entry> got = wal.recovered().entries();
                assertTrue(wal.lastIndex() >= synced, "round " + round + ": recovered " + wal.lastIndex() + " < synced " + synced);
                assertEntries(entries(1, 1, got.size(), 200), got);
            }
        }
    }
}
