package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.HardState;

import java.util.List;

/**
 * What {@link Wal#open} found on disk.
 *
 * @param hardState the last persisted hard state ({@link HardState#EMPTY} if none was ever saved)
 * @param snapshot  the marker recovery starts from, or null: the newest one in {@code snapshots} at
 *                  or below the bound given to {@link Wal#open(java.nio.file.Path, WalOptions, long)}
 *                  (no bound with the two-argument open)
 * @param entries   the entries after {@code snapshot} (or the whole retained log without one), with
 *                  raft overwrite semantics applied; contiguous, ascending by index; unmodifiable
 * @param snapshots all trusted markers still in the log (index at or below the persisted commit),
 *                  oldest first; unmodifiable
 */
public record WalRecovery(HardState hardState, WalSnapshotMarker snapshot, List<Entry> entries,
                          List<WalSnapshotMarker> snapshots) {
    public WalRecovery {
        if (hardState == null) hardState = HardState.EMPTY;
        entries = List.copyOf(entries);
        snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
    }

    /** Index of the last recovered entry, or the snapshot index, or 0 for an empty log. */
    public long lastIndex() {
        if (!entries.isEmpty()) return entries.get(entries.size() - 1).index();
        return snapshot == null ? 0 : snapshot.index();
    }
}
