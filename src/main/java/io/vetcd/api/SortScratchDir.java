package io.vetcd.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The directory big sorted range answers spill to ({@code <store>.range-sort} beside the store):
 * whatever a killed member left there is deleted the first time this process uses it.
 */
final class SortScratchDir {
    private static final Set<Path> CLEANED = new HashSet<>();

    private SortScratchDir() {
    }

    static synchronized Path of(Path storeDir) {
        Path dir = storeDir.resolveSibling(storeDir.getFileName() + ".range-sort");
        if (CLEANED.add(dir) && Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // leftovers only cost disk; the next start tries again
            }
        }
        return dir;
    }
}
