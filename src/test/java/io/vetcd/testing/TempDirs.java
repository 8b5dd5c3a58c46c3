package io.vetcd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing what a process test wrote under the temp dir, so repeated runs do not fill the disk. */
public final class TempDirs {
    private TempDirs() {}

    /**
     * A new temp dir deleted when the test JVM exits: for process tests whose data dirs are not
     * needed after the run (etcd preallocates 64 MiB WAL files; leftovers filled /tmp once).
     */
    public static Path create(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        return dir;
    }

    /** Deletes {@code dir} and everything below it; null or missing is fine; failures are ignored. */
    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover file is only disk space
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
