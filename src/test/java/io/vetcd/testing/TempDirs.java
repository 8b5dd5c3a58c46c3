package io.vetcd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing what a process test wrote under the temp dir, so repeated runs do not fill the disk. */
public final class TempDirs {
    private TempDirs() {}

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
