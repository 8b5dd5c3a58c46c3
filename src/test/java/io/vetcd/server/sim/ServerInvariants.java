package io.vetcd.server.sim;

import com.google.protobuf.ByteString;
import io.vetcd.mvcc.Changes;
import io.vetcd.pb.mvcc.Event;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What must hold after every step of a simulated run, whatever the faults:
 * <ul>
 *   <li>every member applies every raft index at most once, in order, without gaps (except across a
 *       snapshot install), and the same entry there, leaving the same revision behind;</li>
 *   <li>revisions are dense (each member's next revision is its last + 1) and every member's
 *       revision r holds the same events;</li>
 *   <li>an acknowledged put's revision holds that put on every member that reaches it (and, checked
 *       at the end, every member reaches it);</li>
 *   <li>a count-only range at the current revision (kept in memory once asked for again,
 *       {@code CountedRanges}) equals the full range's count, after every applied batch, restart and
 *       snapshot install;</li>
 *   <li>a leader expires a lease only once its TTL has passed on its own clock since it last
 *       refreshed it (granted it as leader, renewed it, or took over as leader).</li>
 * </ul>
 * A violation throws {@link Violation} at once, so the failing step is the last one in the trace.
 */
final class ServerInvariants {
    static final class Violation extends AssertionError {
        Violation(String message) { super(message); }
    }

    private record AppliedAs(int dataHash, long revision, String member) { }

    /** Raft index → what was applied there and the revision it left, as the first member saw it. */
    private final Map<Long, AppliedAs> byIndex = new HashMap<>();
    /** Revision → its events, as the first member that committed it saw them. */
    private final Map<Long, String> byRevision = new HashMap<>();
    /** Acknowledged puts: revision → "key=value". */
    final TreeMap<Long, String> acked = new TreeMap<>();
    long checks;

    // ---- raft index → entry → revision ----

    void applied(SimMember m, long index, byte[] data, long revisionAfter) {
        checks++;
        if (index <= m.lastAppliedIndex) {
            fail(m + " applied index " + index + " again (it had applied through " + m.lastAppliedIndex + ")");
        }
        if (index != m.lastAppliedIndex + 1) {
            fail(m + " applied index " + index + " after " + m.lastAppliedIndex + ": a gap in the applied log");
        }
        m.lastAppliedIndex = index;
        AppliedAs mine = new AppliedAs(Arrays.hashCode(data), revisionAfter, m.toString());
        AppliedAs first = byIndex.putIfAbsent(index, mine);
        if (first == null) return;
        if (first.dataHash != mine.dataHash) {
            fail("index " + index + " holds different entries on " + first.member + " and " + m);
        }
        if (first.revision != mine.revision) {
            fail("index " + index + " left revision " + first.revision + " on " + first.member + " but "
                + mine.revision + " on " + m);
        }
    }

    /** A snapshot install moved the member's applied index (and revision) forward. */
    void restored(SimMember m, long appliedIndex, long appliedThrough, long revision) {
        m.lastAppliedIndex = appliedThrough;
        m.lastRevision = revision;
        AppliedAs known = byIndex.get(appliedIndex);
        if (known != null && known.revision != revision) {
            fail(m + " installed a snapshot at index " + appliedIndex + " with revision " + revision
                + ", but " + known.member + " had revision " + known.revision + " there");
        }
    }

    /** A (re)started member resumes from its backend: that state must be one every other member passed through. */
    void resumed(SimMember m, long consistentIndex, long revision, long walLastIndex) {
        // the backend applies only entries the WAL had synced: a WAL behind it lost synced entries
        if (walLastIndex < consistentIndex) {
            fail(m + " restarted with a WAL that ends at index " + walLastIndex + " but a backend that applied through "
                + consistentIndex + ": entries it had persisted (and acknowledged) are gone");
        }
        m.lastAppliedIndex = consistentIndex;
        m.lastRevision = revision;
        AppliedAs known = byIndex.get(consistentIndex);
        if (known != null && known.revision != revision) {
            fail(m + " restarted at index " + consistentIndex + " with revision " + revision + ", but "
                + known.member + " had revision " + known.revision + " there");
        }
    }

    // ---- counts ----

    private static final String[][] COUNTED = {{"\0", "\0"}, {"k1", "k5"}, {"k", "l"}};

    void countsMatch(SimMember m, io.vetcd.mvcc.MvccStore store) {
        checks++;
        for (String[] r : COUNTED) {
            io.vetcd.pb.etcdserver.RangeRequest.Builder full = io.vetcd.pb.etcdserver.RangeRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8(r[0])).setRangeEnd(ByteString.copyFromUtf8(r[1]));
            io.vetcd.mvcc.RangeResult all = store.range(full.build());
            long counted = store.range(full.setCountOnly(true).build()).count();
            if (counted != all.kvs().size()) {
                fail(m + " counts " + counted + " keys in [" + r[0].replace("\0", "\\0") + ", " + r[1].replace("\0", "\\0") + ") at revision " + all.revision()
                    + " but the range holds " + all.kvs().size());
            }
        }
    }

    // ---- revisions ----

    void committed(SimMember m, Changes c) {
        checks++;
        if (c.revision() != m.lastRevision + 1) {
            fail(m + " committed revision " + c.revision() + " after " + m.lastRevision + ": revisions must be dense");
        }
        m.lastRevision = c.revision();
        String events = describe(c);
        String first = byRevision.putIfAbsent(c.revision(), events);
        if (first != null && !first.equals(events)) {
            fail("revision " + c.revision() + " differs: " + first + " elsewhere, " + events + " on " + m);
        }
        String put = acked.get(c.revision());
        if (put != null && !events.contains("PUT " + put)) {
            fail("acknowledged put " + put + " at revision " + c.revision() + " is not there on " + m + ": " + events);
        }
    }

    void acknowledgedPut(long revision, String key, String value) {
        String put = key + "=" + value;
        String before = acked.put(revision, put);
        if (before != null && !before.equals(put)) fail("two puts acknowledged at revision " + revision + ": " + before + ", " + put);
        String events = byRevision.get(revision);
        if (events != null && !events.contains("PUT " + put)) {
            fail("put " + put + " acknowledged at revision " + revision + " which holds " + events);
        }
    }

    /** A linearizable read was served on the member at its current revision. */
    void linearizableRead(SimMember m, long readIndex, long appliedBeforeRead, long memberRevision, long ackedBeforeRead) {
        checks++;
        if (readIndex < appliedBeforeRead) {
            fail("linearizable read on " + m + " got read index " + readIndex + ", but index " + appliedBeforeRead
                + " was applied (so committed) before the read began");
        }
        if (memberRevision < ackedBeforeRead) {
            fail("linearizable read on " + m + " served at revision " + memberRevision + ", but a put was acknowledged at revision "
                + ackedBeforeRead + " before the read began");
        }
    }

    static String describe(Changes c) {
        StringBuilder sb = new StringBuilder();
        for (Event e : c.events()) {
            sb.append(e.getType()).append(' ').append(utf8(e.getKv().getKey()));
            if (e.getType() == Event.EventType.PUT) {
                sb.append('=').append(utf8(e.getKv().getValue())).append(" v").append(e.getKv().getVersion())
                    .append(" lease ").append(e.getKv().getLease());
            }
            sb.append("; ");
        }
        return sb.toString();
    }

    private static String utf8(ByteString b) { return b.toStringUtf8(); }

    // ---- leases ----

    /** The member (as leader) set the lease's expiry from now: granted it, renewed it or was promoted. */
    void leaseRefreshed(SimMember m, long leaseId, long memberNanos, String how) {
        m.leaseRefreshedAt.put(leaseId, memberNanos);
        m.leaseRefreshedHow.put(leaseId, how + " at virtual " + m.virtualTime(memberNanos) / 1_000_000 + " ms");
    }

    void leaseExpiring(SimMember m, long leaseId, long ttlSeconds, long expiryNanos, boolean primary, long memberNanos) {
        checks++;
        if (!primary) fail(m + " expired lease " + Long.toHexString(leaseId) + " while not the leader's lessor");
        Long refreshed = m.leaseRefreshedAt.get(leaseId);
        if (refreshed == null) {
            fail(m + " expired lease " + Long.toHexString(leaseId) + " it never granted, renewed or took over as leader");
        }
        long lived = memberNanos - refreshed;
        if (lived < ttlSeconds * 1_000_000_000L) {
            fail(m + " expired lease " + Long.toHexString(leaseId) + " (TTL " + ttlSeconds + " s) " + lived / 1_000_000
                + " ms after it last refreshed it (" + m.leaseRefreshedHow.get(leaseId) + "), on its own clock; its lessor had it expire at virtual "
                + m.virtualTime(expiryNanos) / 1_000_000 + " ms");
        }
    }

    /**
     * The first violation on this thread (one simulation runs on one thread). Some checks run in
     * future callbacks, which swallow what they throw; the scheduler rethrows it after the event.
     */
    private static final ThreadLocal<Violation> FIRST = new ThreadLocal<>();

    static void fail(String message) {
        Violation v = new Violation(message);
        if (FIRST.get() == null) FIRST.set(v);
        throw v;
    }

    /** Throws the first violation recorded on this thread, if any (also one a callback swallowed). */
    static void rethrowRecorded() {
        Violation v = FIRST.get();
        if (v != null) throw v;
    }

    /** Forgets this thread's violation: a new simulation starts. */
    static void clearRecorded() {
        FIRST.remove();
    }
}
