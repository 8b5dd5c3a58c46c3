package io.vetcd.raft;

import java.util.List;

/**
 * Raft's read-only view of the durable log. The application writes to it (after persisting a
 * {@link Ready}); raft only reads. All indexes are raft log indexes.
 *
 * <p>The entry at {@code firstIndex() - 1} is the last one covered by the latest snapshot (or the
 * dummy entry 0): its term is still known via {@link #term}, its contents are not.
 */
public interface Storage {
    InitialState initialState();

    /** Entries in [lo, hi), at least one if any exist, then stopping before {@code maxBytes} is exceeded. */
    List<Entry> entries(long lo, long hi, long maxBytes);

    /** Term of entry {@code i}; valid for [firstIndex()-1, lastIndex()]. */
    long term(long i);

    long lastIndex();

    long firstIndex();

    Snapshot snapshot();
}
