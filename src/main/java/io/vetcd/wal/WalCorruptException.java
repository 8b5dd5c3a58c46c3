package io.vetcd.wal;

import java.nio.file.Path;

/**
 * The log contains damage that is not a torn tail: a bad record in a non-last segment, a bad record
 * in the last segment that is followed by valid records, a missing segment, or a gap in the entry
 * indexes. Opening refuses such a log instead of silently dropping acknowledged data.
 */
public final class WalCorruptException extends WalException {
    private final Path file;
    private final long offset;

    public WalCorruptException(Path file, long offset, String reason) {
        super("corrupt WAL " + (file == null ? "" : "file " + file + " ")
                + (offset >= 0 ? "at offset " + offset + ": " : ": ") + reason);
        this.file = file;
        this.offset = offset;
    }

    /** The damaged segment file, or null when the damage is not in one file (e.g. a missing segment). */
    public Path file() { return file; }

    /** Byte offset of the damaged record within {@link #file()}, or -1 when not applicable. */
    public long offset() { return offset; }
}
