package io.vetcd.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Storage} held in memory. In production it mirrors the WAL (refilled from it on restart); in
 * tests it stands for "what survived the crash". Not thread-safe: raft is single-threaded by design.
 *
 * <p>{@code ents.get(0)} is a dummy whose index/term are those of the snapshot, so that
 * {@code term(firstIndex()-1)} answers without a special case.
 */
public final class MemoryStorage implements Storage {
    private HardState hardState = HardState.EMPTY;
    private Snapshot snapshot;
    private final ArrayList<Entry> ents = new ArrayList<>();
    /** Payload bytes of the entries held (not the dummy): the server bounds the log's heap by it, not only by count. */
    private long dataBytes;

    /** An empty log, for a node joining an existing cluster (it learns the membership from the leader). */
    public MemoryStorage() { this(ConfState.EMPTY); }

    /**
     * An empty log whose membership is {@code bootstrap}, as if restored from a snapshot at index 0. Fine
     * for fixed-membership clusters (tests); a cluster whose membership changes should start empty and
     * use {@link RaftNode#bootstrap}, so that members added later learn the initial membership from the log.
     */
    public MemoryStorage(ConfState bootstrap) {
        snapshot = new Snapshot(new SnapshotMetadata(0, 0, bootstrap), Message.NO_BYTES);
        ents.add(new Entry(0, 0, EntryType.NORMAL, null));
    }

    @Override
    public InitialState initialState() { return new InitialState(hardState, snapshot.metadata().confState()); }

    public HardState hardState() { return hardState; }

    public void setHardState(HardState hs) { hardState = hs; }

    private long offset() { return ents.get(0).index(); }

    @Override
    public List<Entry> entries(long lo, long hi, long maxBytes) {
        long offset = offset();
        if (lo <= offset) throw new CompactedException(lo);
        if (hi > lastIndex() + 1) throw new UnavailableException(hi - 1);
        if (lo >= hi) return List.of();
        return RaftLog.limitSize(ents.subList((int) (lo - offset), (int) (hi - offset)), maxBytes);
    }

    @Override
    public long term(long i) {
        long offset = offset();
        if (i < offset) throw new CompactedException(i);
        if (i - offset >= ents.size()) throw new UnavailableException(i);
        return ents.get((int) (i - offset)).term();
    }

    @Override
    public long lastIndex() { return offset() + ents.size() - 1; }

    @Override
    public long firstIndex() { return offset() + 1; }

    @Override
    public Snapshot snapshot() { return snapshot; }

    /** Replaces all contents with {@code snap} (a follower installing the leader's snapshot). Older snapshots are ignored. */
    public void applySnapshot(Snapshot snap) {
        if (snap.index() <= snapshot.index()) return;
        snapshot = snap;
        ents.clear();
        ents.add(new Entry(snap.term(), snap.index(), EntryType.NORMAL, null));
        dataBytes = 0;
    }

    /** Payload bytes of the entries held. */
    public long dataBytes() { return dataBytes; }

    /**
     * The highest compaction point at or below {@code index} after which the entries through {@code index}
     * hold at most {@code maxBytes} of payload ({@code index} itself when that entry alone is bigger): a
     * catch-up tail bounded by bytes, for entries of any size.
     */
    public long compactionPointWithin(long index, long maxBytes) {
        long offset = offset();
        int i = (int) Math.min(index - offset, ents.size() - 1);
        long sum = 0;
        while (i > 0) {
            sum += ents.get(i).data().length;
            if (sum > maxBytes) return offset + i;
            i--;
        }
        return offset;
    }

    /**
     * Records a snapshot of the application at {@code index} (which must be applied, hence in the log),
     * so a lagging follower can be sent it. Does not discard entries: see {@link #compact}.
     */
    public Snapshot createSnapshot(long index, ConfState cs, byte[] data) {
        if (index <= snapshot.index()) return snapshot;
        if (index > lastIndex()) throw new IllegalArgumentException("snapshot " + index + " beyond last index " + lastIndex());
        snapshot = new Snapshot(new SnapshotMetadata(index, term(index), cs), data);
        return snapshot;
    }

    /** Discards entries before {@code compactIndex}; that entry becomes the new dummy. */
    public void compact(long compactIndex) {
        long offset = offset();
        if (compactIndex <= offset) return;
        if (compactIndex > lastIndex()) throw new IllegalArgumentException("compact " + compactIndex + " beyond last index " + lastIndex());
        int i = (int) (compactIndex - offset);
        Entry dummy = new Entry(ents.get(i).term(), compactIndex, EntryType.NORMAL, null);
        ArrayList<Entry> rest = new ArrayList<>(ents.subList(i + 1, ents.size()));
        for (int k = 1; k <= i; k++) dataBytes -= ents.get(k).data().length;
        ents.clear();
        ents.add(dummy);
        ents.addAll(rest);
    }

    /**
     * Appends entries that must be contiguous with what is stored; an overlapping suffix replaces the
     * stored one (raft truncated a conflicting tail). Entries already compacted away are skipped.
     */
    public void append(List<Entry> entries) {
        if (entries.isEmpty()) return;
        long first = firstIndex();
        long last = entries.get(entries.size() - 1).index();
        if (last < first) return;
        int from = 0;
        if (first > entries.get(0).index()) from = (int) (first - entries.get(0).index());
        long start = entries.get(from).index();
        long offset = offset();
        if (start - offset > ents.size()) {
            throw new IllegalStateException("missing log entry: last " + lastIndex() + ", appending at " + start);
        }
        int keep = (int) (start - offset);
        if (keep < ents.size()) {
            List<Entry> dropped = ents.subList(keep, ents.size());
            for (Entry e : dropped) dataBytes -= e.data().length;
            dropped.clear();
        }
        List<Entry> added = entries.subList(from, entries.size());
        for (Entry e : added) dataBytes += e.data().length;
        ents.addAll(added);
    }
}
