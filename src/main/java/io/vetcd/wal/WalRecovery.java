package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.HardState;

import java.util.List;

/**
 * What {@link Wal#open} found on disk.
 *
 * @param hardState the last persisted hard state ({@link HardState#EMPTY} if none was ever saved)
 * @param snapshot  the newest snapshot marker whose index is covered by the persisted commit index,
 *                  or null; the server restores its backend snapshot at this index
 * @param entries   the entries after {@code snapshot} (or the whole retained log without one), with
 *                  raft overwrite semantics applied; contiguous, ascending by index; unmodifiable
 */
public record WalRecovery(HardState hardState, WalSnapshotMarker snapshot, List<Entry> entries) {
    public WalRecovery {
        if (hardState == null) hardState = HardState.EMPTY;
        entries = List.copyOf(entries);
    }

    /** Index of the last recovered entry, or the snapshot index, or 0 for an empty log. */
    public long lastIndex() {
        if (!entries.isEmpty()) return entries.get(entries.size() - 1).index();
        return snapshot == null ? 0 : snapshot.index();
    }
}
