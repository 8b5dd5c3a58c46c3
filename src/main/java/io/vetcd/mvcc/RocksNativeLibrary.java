package io.vetcd.mvcc;

import org.rocksdb.RocksDB;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads RocksDB's JNI library: from {@link RocksLibraryCache} (inflated from the jar once), else
 * rocksdbjni's way, then unlinks the copy RocksDB extracted into the temp dir.
 *
 * <p>rocksdbjni copies its 15 MB native library to {@code java.io.tmpdir} under a fresh name on
 * every start and removes it only at a clean JVM exit. A member that is killed (kill -9, OOM
 * killer, power loss) leaves its copy behind; restart loops filled a 250 GB disk this way. Once
 * the library is mapped into the process, Linux keeps it alive without a name, so the file can be
 * removed right away and nothing is left whatever way the process ends.
 */
public final class RocksNativeLibrary {
    private static volatile boolean loaded;

    private RocksNativeLibrary() {}

    public static void load() {
        if (loaded) return;
        synchronized (RocksNativeLibrary.class) {
            if (loaded) return;
            if (!RocksLibraryCache.load()) {
                RocksDB.loadLibrary();
                unlinkExtractedCopy();
            }
            loaded = true;
        }
    }

    private static void unlinkExtractedCopy() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) return;
        try {
            for (String line : Files.readAllLines(maps)) {
                int slash = line.indexOf('/');
                if (slash < 0) continue;
                Path lib = Path.of(line.substring(slash).replace(" (deleted)", ""));
                String name = lib.getFileName().toString();
                if (name.startsWith("librocksdbjni") && lib.getParent() != null && lib.getParent().equals(tmp)) {
                    Files.deleteIfExists(lib);
                }
            }
        } catch (IOException | RuntimeException e) {
            // only disk space is at stake; the library is loaded either way
        }
    }
}
