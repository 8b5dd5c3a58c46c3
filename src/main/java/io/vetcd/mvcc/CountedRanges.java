package io.vetcd.mvcc;

import io.vetcd.pb.mvcc.Event;
import java.util.Arrays;

/**
 * The exact live-key count of a few key ranges at the current revision, kept in step by the writer,
 * so a count-only range that repeats (Kubernetes counts each resource prefix, e.g.
 * {@code /registry/pods/}, over and over) answers from memory after its first walk of the live-key
 * index ({@link LiveKeys}, ~0.5 us per key). Bounded: at most {@link #capacity} ranges (the least
 * recently asked for goes), of keys up to {@link #MAX_BOUND_BYTES}; etcd answers every count from its
 * in-memory index of all keys, which vetcd does not keep (heap at 1M keys).
 *
 * <p>Exactness. The writer calls {@link #apply} for every commit, in revision order, after its batch
 * is in RocksDB and before the store publishes its revision. A change moves a range's count by +1
 * when a key becomes live (a PUT event of version 1: a create) and by -1 when a key stops being live
 * (a DELETE event: etcd deletes only live keys); other PUTs do not move it. Readers take no lock:
 * they see an immutable {@link View} whose {@code revision} is the last commit that moved any count
 * in it (or when a range joined it); its counts are exact at every revision from there up to the
 * last one the writer applied. A reader that read the store's revision {@code cur} first uses a
 * count only if {@code view.revision <= cur}: the writer applied {@code cur} before publishing it,
 * and nothing changed since {@code view.revision}.
 *
 * <p>Joining. A range is registered ({@link #register}) before the reader pins its RocksDB snapshot
 * and walks; from then on the writer logs, per revision, how much each commit moved it. The walk
 * sees the store at the snapshot's revision {@code p}, which is at least the revision the writer had
 * applied at registration (RocksDB is written before the writer applies), so the count at the
 * writer's revision is the walk plus the logged moves of revisions after {@code p}
 * ({@link #settle}). A walk that saw writes the writer has not applied yet ({@code p} above it) is
 * not used: the range leaves and the next count tries again.
 */
final class CountedRanges {
    static final int DEFAULT_CAPACITY = 64;
    /** Start and end keys longer than this together are not kept (the memory bound holds for any request). */
    static final int MAX_BOUND_BYTES = 1024;
    /** Revisions that may move a range while its first walk runs; more, and it leaves (the walk is not used). */
    static final int MAX_LOG = 1024;
    private static final long COUNTING = -1;

    /** A range kept: its bounds, when it was last asked for, and while its first walk runs, the moves seen meanwhile. */
    static final class Range {
        final byte[] start;
        /** As {@link StoreCursor}'s end: empty = to the end of the key space. Never a single key. */
        final byte[] end;
        final int hash;
        /** Revision the writer had applied when this range joined. */
        final long joinedAt;
        volatile long used;
        // written by the writer and by settle, under the lock only
        private long[] logRevisions = new long[4];
        private long[] logMoves = new long[4];
        private int logged;
        private boolean overflowed;

        Range(byte[] start, byte[] end, int hash, long joinedAt) {
            this.start = start;
            this.end = end;
            this.hash = hash;
            this.joinedAt = joinedAt;
        }

        boolean is(byte[] s, byte[] e, int h) {
            return hash == h && Arrays.equals(start, s) && Arrays.equals(end, e);
        }

        boolean contains(byte[] key) {
            return Arrays.compareUnsigned(key, start) >= 0 && (end.length == 0 || Arrays.compareUnsigned(key, end) < 0);
        }

        private void log(long revision, long move) {
            if (logged == MAX_LOG) {
                overflowed = true;
                return;
            }
            if (logged == logRevisions.length) {
                logRevisions = Arrays.copyOf(logRevisions, logged * 2);
                logMoves = Arrays.copyOf(logMoves, logged * 2);
            }
            logRevisions[logged] = revision;
            logMoves[logged++] = move;
        }

        /** The logged moves of revisions after {@code revision}. */
        private long movesAfter(long revision) {
            long sum = 0;
            for (int i = 0; i < logged; i++) {
                if (logRevisions[i] > revision) sum += logMoves[i];
            }
            return sum;
        }

        private void dropLog() {
            logRevisions = logMoves = null;
            logged = 0;
        }
    }

    /** What readers see: ranges and their counts ({@link #COUNTING} while the first walk runs), exact from {@code revision} on. */
    record View(long revision, Range[] ranges, long[] counts) {
        int indexOf(byte[] start, byte[] end, int hash) {
            for (int i = 0; i < ranges.length; i++) {
                if (ranges[i].is(start, end, hash)) return i;
            }
            return -1;
        }

        int indexOf(Range r) {
            for (int i = 0; i < ranges.length; i++) {
                if (ranges[i] == r) return i;
            }
            return -1;
        }

        View without(int i) {
            Range[] rs = new Range[ranges.length - 1];
            long[] cs = new long[rs.length];
            System.arraycopy(ranges, 0, rs, 0, i);
            System.arraycopy(ranges, i + 1, rs, i, rs.length - i);
            System.arraycopy(counts, 0, cs, 0, i);
            System.arraycopy(counts, i + 1, cs, i, cs.length - i);
            return new View(revision, rs, cs);
        }
    }

    private final int capacity;
    private final Object lock = new Object();
    private volatile View view;
    /** The last revision the writer applied; under the lock. */
    private long applied;
    /** Orders the ranges by when they were last asked for; racy increments only blur that order. */
    private long clock;
    /** Hashes of ranges not kept that were asked for lately ({@link #registerIfSeenBefore}). */
    private final long[] missed = new long[64];
    private long missedNext;

    CountedRanges(int capacity, long revision) {
        this.capacity = capacity;
        reset(revision);
    }

    static int hash(byte[] start, byte[] end) {
        return 31 * Arrays.hashCode(start) + Arrays.hashCode(end);
    }

    /** Whether a range with these bounds may be kept at all. */
    static boolean keepable(byte[] start, byte[] end) {
        return end != null && start.length + end.length <= MAX_BOUND_BYTES;
    }

    /** The count of {@code [start, end)} at revision {@code cur} (the store's published revision, read before), or -1 if not known. */
    long count(byte[] start, byte[] end, long cur) {
        if (end == null) return -1;
        View v = view;
        if (v.revision > cur || v.ranges.length == 0) return -1;
        int i = v.indexOf(start, end, hash(start, end));
        if (i < 0 || v.counts[i] == COUNTING) return -1;
        v.ranges[i].used = ++clock;
        return v.counts[i];
    }

    /**
     * Starts keeping {@code [start, end)}: call before pinning the snapshot the first walk reads, then
     * {@link #settle} with that walk (or {@link #abandon}). Null when the range is not kept (already
     * there, or too big to keep); the least recently asked-for range leaves when full.
     */
    Range register(byte[] start, byte[] end) {
        if (!keepable(start, end) || capacity == 0) return null;
        int h = hash(start, end);
        synchronized (lock) {
            View v = view;
            if (v.indexOf(start, end, h) >= 0) return null; // kept, or another reader is walking it
            Range r = new Range(start.clone(), end.clone(), h, applied);
            r.used = ++clock;
            Range[] rs;
            long[] cs;
            int slot;
            if (v.ranges.length < capacity) {
                rs = Arrays.copyOf(v.ranges, v.ranges.length + 1);
                cs = Arrays.copyOf(v.counts, rs.length);
                slot = rs.length - 1;
            } else {
                rs = v.ranges.clone();
                cs = v.counts.clone();
                slot = 0;
                for (int i = 1; i < rs.length; i++) {
                    if (rs[i].used < rs[slot].used) slot = i;
                }
            }
            rs[slot] = r;
            cs[slot] = COUNTING;
            // The new range is exact (once settled) only from now on: readers of older revisions must not use it.
            view = new View(Math.max(v.revision, applied), rs, cs);
            return r;
        }
    }

    /**
     * {@link #register}, but only for a range asked for before, lately: a list's first page repeats
     * (and its count is the resource prefix's), its continuation pages mostly come once.
     */
    Range registerIfSeenBefore(byte[] start, byte[] end) {
        if (!keepable(start, end) || capacity == 0) return null;
        long tag = 1L << 32 | (hash(start, end) & 0xffffffffL);
        long[] seen = missed;
        for (long m : seen) {
            if (m == tag) return register(start, end);
        }
        seen[(int) (missedNext++ & (seen.length - 1))] = tag; // racy: a lost write only delays a range
        return null;
    }

    /**
     * The first walk of a registered range is done: {@code walked} live keys at {@code walkedAt}, the
     * revision of the snapshot it read (pinned after {@link #register}).
     */
    void settle(Range r, long walked, long walkedAt) {
        if (r == null) return;
        synchronized (lock) {
            View v = view;
            int i = v.indexOf(r);
            if (i < 0) return; // left meanwhile
            if (r.overflowed || walkedAt > applied || walkedAt < r.joinedAt) {
                view = v.without(i);
                return;
            }
            long[] cs = v.counts.clone();
            cs[i] = walked + r.movesAfter(walkedAt);
            r.dropLog();
            view = new View(Math.max(v.revision, applied), v.ranges, cs);
        }
    }

    /** The first walk of a registered range failed: it leaves. */
    void abandon(Range r) {
        if (r == null) return;
        synchronized (lock) {
            View v = view;
            int i = v.indexOf(r);
            if (i >= 0) view = v.without(i);
        }
    }

    /**
     * The writer's step for one commit at {@code revision} (events null or empty when it changed no
     * key): called after the commit is in RocksDB and before the store publishes the revision.
     */
    void apply(long revision, Changes changes) {
        synchronized (lock) {
            applied = revision;
            View v = view;
            if (changes == null || v.ranges.length == 0) return;
            long[] moves = null;
            for (Event ev : changes.events()) {
                int move = ev.getType() == Event.EventType.DELETE ? -1 : ev.getKv().getVersion() == 1 ? 1 : 0;
                if (move == 0) continue;
                byte[] key = ev.getKv().getKey().toByteArray();
                for (int i = 0; i < v.ranges.length; i++) {
                    if (v.ranges[i].contains(key)) {
                        if (moves == null) moves = new long[v.ranges.length];
                        moves[i] += move;
                    }
                }
            }
            if (moves == null) return;
            long[] cs = v.counts.clone();
            boolean moved = false;
            for (int i = 0; i < cs.length; i++) {
                if (moves[i] == 0) continue;
                moved = true;
                if (cs[i] == COUNTING) {
                    v.ranges[i].log(revision, moves[i]);
                } else {
                    cs[i] += moves[i];
                }
            }
            if (moved) view = new View(revision, v.ranges, cs);
        }
    }

    /** Forgets every range: the store's contents were replaced; {@code revision} is the store's revision now. */
    void reset(long revision) {
        synchronized (lock) {
            applied = revision;
            view = new View(revision, new Range[0], new long[0]);
        }
    }

    /** Forgets every range (the writer's position stays). */
    void forget() {
        synchronized (lock) {
            view = new View(applied, new Range[0], new long[0]);
        }
    }

    /** Ranges kept or being counted now (for tests). */
    int size() {
        return view.ranges.length;
    }
}
