package io.vetcd.mvcc;

/**
 * CRC32 over the history visible at {@code revision} that survives compaction at
 * {@code compactRevision}; equal on members that applied the same entries.
 */
public record HashKV(long hash, long compactRevision, long revision) {
}
