package io.vetcd.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The tail of the log that raft has accepted but the application has not yet persisted: entries from
 * {@code offset} on, and possibly an incoming snapshot. It shrinks when the application reports a write
 * durable ({@link #stableTo}, {@link #stableSnapTo}).
 */
final class UnstableLog {
    Snapshot snapshot;
    ArrayList<Entry> entries = new ArrayList<>();
    long offset;

    UnstableLog(long offset) { this.offset = offset; }

    /** First index, if an unstable snapshot defines it. -1 otherwise. */
    long maybeFirstIndex() { return snapshot != null ? snapshot.index() + 1 : -1; }

    /** Last index, if this holds anything. -1 otherwise. */
    long maybeLastIndex() {
        if (!entries.isEmpty()) return offset + entries.size() - 1;
        if (snapshot != null) return snapshot.index();
        return -1;
    }

    /** Term of entry i if this holds it, -1 otherwise. */
    long maybeTerm(long i) {
        if (i < offset) {
            if (snapshot != null && snapshot.index() == i) return snapshot.term();
            return -1;
        }
        long last = maybeLastIndex();
        if (last == -1 || i > last) return -1;
        return entries.get((int) (i - offset)).term();
    }

    void stableTo(long i, long t) {
        long gt = maybeTerm(i);
        if (gt == -1) return;
        // Only if the term matches: a newer leader may have overwritten this index since the Ready was built.
        if (gt == t && i >= offset) {
            entries.subList(0, (int) (i + 1 - offset)).clear();
            offset = i + 1;
        }
    }

    void stableSnapTo(long i) {
        if (snapshot != null && snapshot.index() == i) snapshot = null;
    }

    void restore(Snapshot s) {
        offset = s.index() + 1;
        entries = new ArrayList<>();
        snapshot = s;
    }

    void truncateAndAppend(List<Entry> ents) {
        long after = ents.get(0).index();
        if (after == offset + entries.size()) {
            entries.addAll(ents);
        } else if (after <= offset) {
            // Replaces everything unstable; the stable part past 'after' is overwritten when persisted.
            offset = after;
            entries = new ArrayList<>(ents);
        } else {
            // Truncate our conflicting suffix, then append.
            entries.subList((int) (after - offset), entries.size()).clear();
            entries.addAll(ents);
        }
    }

    List<Entry> slice(long lo, long hi) {
        if (lo > hi || lo < offset || hi > offset + entries.size()) {
            throw new IllegalStateException("invalid unstable slice [" + lo + "," + hi + ") offset " + offset + " len " + entries.size());
        }
        return entries.subList((int) (lo - offset), (int) (hi - offset));
    }
}
