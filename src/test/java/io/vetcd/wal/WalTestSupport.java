package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared helpers for WAL tests: deterministic entries, deep comparison, directory copies. */
final class WalTestSupport {
    private WalTestSupport() {}

    /** Tests do not need durability against power loss; fsync would only make them slow. */
    static final WalOptions NO_FSYNC = WalOptions.DEFAULT.withFsync(false);

    /** Data derived from (term, index) so any entry can be re-created for comparison. */
    static Entry entry(long term, long index, int size) {
        byte[] data = new byte[size];
        new Random(term * 1_000_003L + index).nextBytes(data);
        return new Entry(term, index, index % 7 == 0 ? EntryType.CONF_CHANGE : EntryType.NORMAL, data);
    }

    static List<Entry> entries(long term, long from, long toInclusive, int size) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) out.add(entry(term, i, size));
        return out;
    }

    /** Entry is a record with a byte[] component, so equals() compares identity; compare by value. */
    static void assertEntries(List<Entry> expected, List<Entry> actual) {
        assertEquals(expected.size(), actual.size(), () -> "entry count; actual indexes " + indexes(actual));
        for (int i = 0; i < expected.size(); i++) {
            Entry e = expected.get(i), a = actual.get(i);
            assertEquals(e.index(), a.index(), "index at " + i);
            assertEquals(e.term(), a.term(), "term of " + e.index());
            assertEquals(e.type(), a.type(), "type of " + e.index());
            assertArrayEquals(e.data(), a.data(), "data of " + e.index());
        }
    }

    static String indexes(List<Entry> es) {
        if (es.isEmpty()) return "[]";
        return "[" + es.get(0).index() + ".." + es.get(es.size() - 1).index() + "]";
    }

    /** Copies the segment files as they are on disk, like a crash would leave them (no LOCK). */
    static Path copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().endsWith(".wal")) {
                    Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }

    static Path lastSegment(Path dir) throws IOException {
        List<WalSegment> segs = WalSegment.list(dir);
        return segs.get(segs.size() - 1).path();
    }

    /** Offset of the first occurrence of {@code needle} in the file. */
    static int find(Path file, byte[] needle) throws IOException {
        byte[] hay = Files.readAllBytes(file);
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    static void flipByte(Path file, int offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[offset] ^= 0x5a;
        Files.write(file, b);
    }

    static void truncate(Path file, long size) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, (int) size));
    }
}
