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
        super(message(file, offset, reason));
        this.file = file;
        this.offset = offset;
    }

    private static String message(Path file, long offset, String reason) {
        StringBuilder sb = new StringBuilder("corrupt WAL");
        if (file != null) sb.append(" file ").append(file);
        if (offset >= 0) sb.append(" at offset ").append(offset);
        return sb.append(": ").append(reason).toString();
    }

    /** The damaged segment file, or null when the damage is not in one file (e.g. a missing segment). */
    public Path file() { return file; }

    /** Byte offset of the damaged record within {@link #file()}, or -1 when not applicable. */
    public long offset() { return offset; }
}
