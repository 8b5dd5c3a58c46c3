package io.vetcd.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One segment file, identified by its name {@code <seq>-<firstIndex>.wal} (both 16 hex digits).
 *
 * <p>{@code seq} orders segments and lets the reader notice a missing one; {@code firstIndex} is the
 * index the first entry appended to the segment was expected to have (last index + 1 when it was
 * created), so segments can be selected by index without reading them. Fixed-width hex makes the
 * lexical order of names equal the numeric order and fits any non-negative long.
 */
record WalSegment(long seq, long firstIndex, Path path) {
    static final String SUFFIX = ".wal";
    /** New segments are written under this suffix and renamed, so a half-created one is never seen. */
    static final String TMP_SUFFIX = ".wal.tmp";
    private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.wal");

    static String name(long seq, long firstIndex) {
        return String.format("%016x-%016x%s", seq, firstIndex, SUFFIX);
    }

    static WalSegment of(Path dir, long seq, long firstIndex) {
        return new WalSegment(seq, firstIndex, dir.resolve(name(seq, firstIndex)));
    }

    /** Parses a file name, or returns null if it is not a segment name. */
    static WalSegment parse(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) return null;
        return new WalSegment(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16), file);
    }

    /** All segments in {@code dir}, ordered by sequence number. */
    static List<WalSegment> list(Path dir) throws IOException {
        List<WalSegment> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                WalSegment s = parse(p);
                if (s != null && Files.isRegularFile(p)) out.add(s);
            }
        }
        out.sort(Comparator.comparingLong(WalSegment::seq));
        return out;
    }

    /** Removes leftovers of segment creations that crashed before the rename. */
    static void deleteTemporaries(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + TMP_SUFFIX)) {
            for (Path p : ds) Files.deleteIfExists(p);
        }
    }

    /**
     * Makes creations, renames and deletions of directory entries durable. Without this a crash can
     * lose a freshly rolled segment even though its contents were fsynced.
     */
    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
