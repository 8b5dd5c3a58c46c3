package io.vetcd.mvcc;

import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RocksDB library cache: where it lives, and that only an intact, private copy is ever loaded. */
class RocksLibraryCacheTest {

    @Test
    void cacheDirectoryFromPropertyThenXdgThenHome() {
        assertEquals(Path.of("/c/x"), RocksLibraryCache.root("/c/x", Map.of("XDG_CACHE_HOME", "/x"), "/home/u"));
        assertNull(RocksLibraryCache.root("off", Map.of(), "/home/u"));
        assertNull(RocksLibraryCache.root("", Map.of(), "/home/u"));
        assertEquals(Path.of("/x/vetcd"), RocksLibraryCache.root(null, Map.of("XDG_CACHE_HOME", "/x"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/vetcd"), RocksLibraryCache.root(null, Map.of("XDG_CACHE_HOME", "rel"), "/home/u"));
        assertNull(RocksLibraryCache.root(null, Map.of(), "?"));
    }

    @Test
    void extractedCopyIsIntactUntilDamagedOrWritableByOthers() throws IOException {
        Path dir = TempDirs.create("rocks-lib-cache");
        try {
            byte[] lib = new byte[300_000];
            new Random(7).nextBytes(lib);
            CRC32 crc = new CRC32();
            crc.update(lib);
            Path file = dir.resolve("lib.so");
            assertFalse(RocksLibraryCache.intact(file, crc.getValue(), lib.length), "nothing there yet");
            RocksLibraryCache.extract(new ByteArrayInputStream(lib), dir, file, crc.getValue(), lib.length);
            assertTrue(RocksLibraryCache.intact(file, crc.getValue(), lib.length));
            try (var files = Files.list(dir)) {
                assertEquals(1, files.count(), "no temporary file left behind");
            }

            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
            assertFalse(RocksLibraryCache.intact(file, crc.getValue(), lib.length), "another user could swap it");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

            byte[] damaged = lib.clone();
            damaged[123_456] ^= 1;
            Files.write(file, damaged);
            assertFalse(RocksLibraryCache.intact(file, crc.getValue(), lib.length), "a flipped bit");
            Files.write(file, java.util.Arrays.copyOf(lib, lib.length - 1));
            assertFalse(RocksLibraryCache.intact(file, crc.getValue(), lib.length), "a torn copy");

            Files.delete(file);
            assertThrows(IOException.class, () -> RocksLibraryCache.extract(new ByteArrayInputStream(damaged), dir, file,
                crc.getValue(), lib.length), "bytes that do not match the jar's CRC are never published");
            assertFalse(Files.exists(file));
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void storeOpensWithTheLibraryLoadedFromTheCache() throws Exception {
        Path cache = TempDirs.create("rocks-lib-cache-load");
        String before = System.getProperty(RocksLibraryCache.PROPERTY);
        try {
            System.setProperty(RocksLibraryCache.PROPERTY, cache.toString());
            // in this JVM the library may already be loaded; the cache is still filled and checked
            boolean loaded = RocksLibraryCache.load();
            assertTrue(loaded, "the test class path has rocksdbjni's jar, so the cache applies");
            try (var dirs = Files.list(cache)) {
                Path version = dirs.filter(p -> p.getFileName().toString().startsWith("rocksdbjni-")).findFirst().orElseThrow();
                try (var libs = Files.list(version)) {
                    assertEquals(1, libs.count());
                }
            }
            assertTrue(RocksLibraryCache.load(), "a second start finds the copy intact");
        } finally {
            if (before == null) System.clearProperty(RocksLibraryCache.PROPERTY);
            else System.setProperty(RocksLibraryCache.PROPERTY, before);
            TempDirs.delete(cache);
        }
    }
}
