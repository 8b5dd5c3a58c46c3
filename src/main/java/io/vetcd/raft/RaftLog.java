package io.vetcd.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The log as raft sees it: durable {@link Storage} followed by the {@link UnstableLog} tail, plus the
 * two cursors {@code committed} (known replicated on a quorum) and {@code applied} (handed to the
 * application). Invariant: applied <= committed <= lastIndex().
 */
final class RaftLog {
    final Storage storage;
    final UnstableLog unstable;
    long committed;
    long applied;

    RaftLog(Storage storage) {
        this.storage = storage;
        long first = storage.firstIndex();
        long last = storage.lastIndex();
        this.unstable = new UnstableLog(last + 1);
        this.committed = first - 1;
        this.applied = first - 1;
    }

    long firstIndex() {
        long i = unstable.maybeFirstIndex();
        return i != -1 ? i : storage.firstIndex();
    }

    long lastIndex() {
        long i = unstable.maybeLastIndex();
        return i != -1 ? i : storage.lastIndex();
    }

    long lastTerm() { return term(lastIndex()); }

    /** Term of entry i, or 0 if i is outside the known log (compacted away or not yet appended). */
    long term(long i) {
        return Math.max(0, termOrUnknown(i));
    }

    /** Term of entry i, or -1 if unknown. The dummy entry before firstIndex() has a known term. */
    long termOrUnknown(long i) {
        long dummy = firstIndex() - 1;
        if (i < dummy || i > lastIndex()) return -1;
        long t = unstable.maybeTerm(i);
        if (t != -1) return t;
        try {
            return storage.term(i);
        } catch (CompactedException | UnavailableException e) {
            return -1;
        }
    }

    boolean matchTerm(long i, long t) {
        return termOrUnknown(i) == t;
    }

    /** Whether a candidate whose log ends at (lastTerm=term, lastIndex=index) is at least as up to date as ours (§5.4.1). */
    boolean isUpToDate(long index, long term) {
        long lt = lastTerm();
        return term > lt || (term == lt && index >= lastIndex());
    }

    /**
     * Follower side of AppendEntries: if our log matches at (index, logTerm), append {@code ents}
     * (truncating only at a real conflict, so a reordered old MsgApp cannot chop off newer entries),
     * advance commit, and return the index of the last new entry. Returns -1 on mismatch.
     */
    long maybeAppend(long index, long logTerm, long leaderCommit, List<Entry> ents) {
        if (!matchTerm(index, logTerm)) return -1;
        long lastNew = index + ents.size();
        long ci = findConflict(ents);
        if (ci != 0) {
            if (ci <= committed) {
                throw new IllegalStateException("entry " + ci + " conflicts with committed entry (committed " + committed + ")");
            }
            append(ents.subList((int) (ci - (index + 1)), ents.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    long append(List<Entry> ents) {
        if (ents.isEmpty()) return lastIndex();
        long after = ents.get(0).index() - 1;
        if (after < committed) throw new IllegalStateException("append after " + after + " is below committed " + committed);
        unstable.truncateAndAppend(ents);
        return lastIndex();
    }

    /**
     * Index of the first entry in {@code ents} that is new or disagrees with our log on term; 0 if all
     * of them are already present. Entries before our first index are trusted (they are committed).
     */
    long findConflict(List<Entry> ents) {
        for (Entry e : ents) {
            if (!matchTerm(e.index(), e.term())) return e.index();
        }
        return 0;
    }

    /**
     * Largest index <= {@code index} whose term is <= {@code term}. A follower uses it to answer a
     * rejected MsgApp with a hint that lets the leader skip a whole term per round trip (and the
     * leader uses it the same way on its own log).
     */
    long findConflictByTerm(long index, long term) {
        long li = lastIndex();
        if (index > li) return index;
        while (index > 0) {
            long t = term(index);
            if (t <= term) break;
            index--;
        }
        return index;
    }

    void commitTo(long tocommit) {
        if (tocommit > committed) {
            if (tocommit > lastIndex()) {
                throw new IllegalStateException("commit " + tocommit + " out of range [last " + lastIndex() + "]");
            }
            committed = tocommit;
        }
    }

    /** Leader: commit up to {@code maxIndex} only if that entry is from the current term (Raft §5.4.2, Figure 8). */
    boolean maybeCommit(long maxIndex, long term) {
        if (maxIndex > committed && term(maxIndex) == term) {
            commitTo(maxIndex);
            return true;
        }
        return false;
    }

    void appliedTo(long i) {
        if (i == 0) return;
        if (committed < i || i < applied) {
            throw new IllegalStateException("applied " + i + " out of range [prev " + applied + ", committed " + committed + "]");
        }
        applied = i;
    }

    void stableTo(long i, long t) { unstable.stableTo(i, t); }

    void stableSnapTo(long i) { unstable.stableSnapTo(i); }

    List<Entry> unstableEntries() { return unstable.entries; }

    /** Index of the last entry known durable (everything before the unstable tail). */
    long lastStableIndex() {
        if (!unstable.entries.isEmpty()) return unstable.offset - 1;
        if (unstable.snapshot != null) return unstable.snapshot.index() - 1;
        return lastIndex();
    }

    boolean hasNextEntries() {
        long off = Math.max(applied + 1, firstIndex());
        return committed + 1 > off;
    }

    /** Committed entries not yet applied, up to {@code maxBytes}. */
    List<Entry> nextEntries(long maxBytes) {
        long off = Math.max(applied + 1, firstIndex());
        if (committed + 1 > off) return slice(off, committed + 1, maxBytes);
        return List.of();
    }

    Snapshot snapshot() {
        if (unstable.snapshot != null) return unstable.snapshot;
        return storage.snapshot();
    }

    /** Entries from i to the end, at most maxBytes (but at least one). Throws CompactedException. */
    List<Entry> entriesFrom(long i, long maxBytes) {
        if (i > lastIndex()) return List.of();
        return slice(i, lastIndex() + 1, maxBytes);
    }

    /** Entries in [lo, hi) from storage and/or the unstable tail. Returns a fresh list. Throws CompactedException. */
    List<Entry> slice(long lo, long hi, long maxBytes) {
        if (lo > hi) throw new IllegalArgumentException("invalid slice " + lo + " > " + hi);
        long fi = firstIndex();
        if (lo < fi) throw new CompactedException(lo);
        if (hi > lastIndex() + 1) throw new IllegalStateException("slice [" + lo + "," + hi + ") out of bound [" + fi + "," + lastIndex() + "]");
        if (lo == hi) return List.of();
        ArrayList<Entry> out = new ArrayList<>((int) Math.min(hi - lo, 1024));
        if (lo < unstable.offset) {
            List<Entry> stored = storage.entries(lo, Math.min(hi, unstable.offset), maxBytes);
            out.addAll(stored);
            // Storage stopped early because of the size limit: don't add unstable entries after a gap.
            if (stored.size() < Math.min(hi, unstable.offset) - lo) return out;
        }
        if (hi > unstable.offset) {
            out.addAll(unstable.slice(Math.max(lo, unstable.offset), hi));
        }
        return limitSize(out, maxBytes);
    }

    /** Restores the log to a snapshot: everything is replaced, commit jumps to the snapshot index. */
    void restore(Snapshot s) {
        committed = s.index();
        unstable.restore(s);
    }

    /** Prefix of {@code ents} whose total data size stays within maxBytes (always at least one entry), copied. */
    static List<Entry> limitSize(List<Entry> ents, long maxBytes) {
        if (ents.isEmpty()) return List.of();
        long size = 0;
        int n = 0;
        for (Entry e : ents) {
            size += e.data().length + 16;
            if (n > 0 && size > maxBytes) break;
            n++;
        }
        return new ArrayList<>(ents.subList(0, n));
    }
}
