package io.vetcd.raft;

/** Thrown by {@link Storage} when asked for log entries that were discarded by compaction. */
public final class CompactedException extends RuntimeException {
    public CompactedException(long index) {
        super("requested index " + index + " is unavailable due to compaction", null, false, false);
    }
}
