package io.vetcd.raft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the MsgApps one {@link Ready} holds for the same follower into as few as the log allows.
 *
 * <p>A busy leader's turn steps several inputs before its Ready is taken: an acknowledgement that
 * advances the commit index (a commit-only MsgApp to every follower), then the proposals its
 * followers forwarded and its own clients' proposals (a MsgApp with entries to every follower for
 * each). Sent as they are, a follower decodes, persists and acknowledges each one, and the leader
 * reads every acknowledgement: three or four messages each way per follower per turn where one
 * says the same. Two MsgApps to the same follower in one Ready, the second continuing exactly where
 * the first ends (its index and log term are the first's last entry), are one MsgApp with both
 * runs of entries and the newer commit index; a commit-only MsgApp is absorbed by the MsgApp that
 * continues from the same point, or by the one whose entries it follows.
 *
 * <p>The follower does exactly what it would have done with the separate messages: the log check
 * is the first message's (if it fails, the continuations would have failed too), it appends the same
 * entries, and it commits {@code min(commit, last new index)}, the same index the last of them would
 * have given it. Its one answer acknowledges the last index, freeing every inflight slot the leader
 * took for the runs. A merged message stays within the leader's per-message size ({@code maxBytes},
 * counted as {@link RaftLog#limitSize} counts), and nothing is merged across a snapshot to the same
 * follower.
 */
final class MergedAppends {
    private MergedAppends() {}

    /** {@code msgs} with mergeable MsgApps merged, in the order of their first message; the same list if none were. */
    static List<Message> merge(List<Message> msgs, long maxBytes) {
        if (msgs.size() < 2) return msgs;
        Message[] out = null;
        // per follower: where the last MsgApp or MsgSnap to it sits (in out), and its entries' size
        Map<Long, Integer> last = null;
        Map<Long, Long> lastBytes = null;
        for (int i = 0; i < msgs.size(); i++) {
            Message m = msgs.get(i);
            if (m.type() != MessageType.MsgApp && m.type() != MessageType.MsgSnap) continue;
            if (last == null) {
                last = new HashMap<>();
                lastBytes = new HashMap<>();
            }
            Integer p = last.get(m.to());
            long bytes = m.type() == MessageType.MsgApp ? bytes(m.entries()) : 0;
            if (p != null && m.type() == MessageType.MsgApp) {
                Message prev = out != null ? out[p] : msgs.get(p);
                long prevBytes = lastBytes.get(m.to());
                if (prev.type() == MessageType.MsgApp && prev.term() == m.term() && continues(prev, m)
                    && (prevBytes + bytes <= maxBytes || prev.entries().isEmpty() || m.entries().isEmpty())) {
                    if (out == null) out = msgs.toArray(new Message[0]);
                    out[p] = joined(prev, m);
                    out[i] = null;
                    lastBytes.put(m.to(), prevBytes + bytes);
                    continue;
                }
            }
            last.put(m.to(), i);
            lastBytes.put(m.to(), bytes);
        }
        if (out == null) return msgs;
        List<Message> merged = new ArrayList<>(out.length);
        for (Message m : out) if (m != null) merged.add(m);
        return merged;
    }

    /**
     * A follower's side of the same: a turn that took several MsgApps from the leader (they queued while
     * its last fsync ran) answers each with a MsgAppResp, and every later acceptance says all an earlier
     * one says. An acceptance to a peer is left out when a later one in the same Ready, to the same peer
     * and in the same term, acknowledges at least its index with no rejection to that peer between them:
     * the leader, stepping the later one, reaches the same match and commit and frees the same inflight slots
     * as with both (its progress only moves forward on acceptances); what it skips is the intermediate step,
     * which could only resend entries the later answer already acknowledges. Rejections and every
     * other message are kept, in order. The same list if nothing was left out.
     */
    static List<Message> withoutSupersededAnswers(List<Message> msgs) {
        if (msgs.size() < 2) return msgs;
        boolean[] drop = null;
        // per peer, scanning backwards: the latest acceptance after this point with no rejection in between
        Map<Long, Message> later = null;
        for (int i = msgs.size() - 1; i >= 0; i--) {
            Message m = msgs.get(i);
            if (m.type() != MessageType.MsgAppResp) continue;
            if (later == null) later = new HashMap<>();
            if (m.reject()) {
                later.remove(m.to());
                continue;
            }
            Message l = later.get(m.to());
            if (l != null && l.term() == m.term() && l.index() >= m.index()) {
                if (drop == null) drop = new boolean[msgs.size()];
                drop[i] = true;
                continue;
            }
            later.put(m.to(), m);
        }
        if (drop == null) return msgs;
        List<Message> kept = new ArrayList<>(msgs.size());
        for (int i = 0; i < msgs.size(); i++) if (!drop[i]) kept.add(msgs.get(i));
        return kept;
    }

    /** Whether {@code next} starts exactly where {@code prev} ends in the leader's log. */
    private static boolean continues(Message prev, Message next) {
        List<Entry> pe = prev.entries();
        if (pe.isEmpty()) return next.index() == prev.index() && next.logTerm() == prev.logTerm();
        Entry end = pe.get(pe.size() - 1);
        return next.index() == end.index() && next.logTerm() == end.term();
    }

    private static Message joined(Message prev, Message next) {
        List<Entry> entries;
        if (next.entries().isEmpty()) {
            entries = prev.entries();
        } else if (prev.entries().isEmpty()) {
            entries = next.entries();
        } else {
            entries = new ArrayList<>(prev.entries().size() + next.entries().size());
            entries.addAll(prev.entries());
            entries.addAll(next.entries());
        }
        return prev.toBuilder().entries(entries).commit(Math.max(prev.commit(), next.commit())).build();
    }

    private static long bytes(List<Entry> entries) {
        long n = 0;
        for (int i = 0; i < entries.size(); i++) n += entries.get(i).data().length + 16;
        return n;
    }
}
