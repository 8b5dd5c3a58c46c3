package io.vetcd.raft;

import java.util.List;

/**
 * A raft message. One flat record covers every {@link MessageType}; fields a type doesn't use are
 * zero/empty. {@code context} carries a ReadIndex request id (MsgReadIndex, MsgHeartbeat(Resp),
 * MsgReadIndexResp) or the campaign-transfer marker on MsgVote.
 */
public record Message(
    MessageType type,
    long from,
    long to,
    long term,
    long logTerm,
    long index,
    List<Entry> entries,
    long commit,
    Snapshot snapshot,
    boolean reject,
    long rejectHint,
    byte[] context) {

    static final byte[] NO_BYTES = new byte[0];

    public Message {
        if (type == null) throw new IllegalArgumentException("type required");
        if (entries == null) entries = List.of();
        if (context == null) context = NO_BYTES;
    }

    /** Starts a builder; raft creates many messages with a few fields set, so this keeps call sites readable. */
    public static Builder of(MessageType type) {
        return new Builder(type);
    }

    public Builder toBuilder() {
        return new Builder(type).from(from).to(to).term(term).logTerm(logTerm).index(index)
            .entries(entries).commit(commit).snapshot(snapshot).reject(reject)
            .rejectHint(rejectHint).context(context);
    }

    /**
     * Whether the application may send this message before it has persisted the {@link Ready} it came in.
     * Only a leader's replication traffic qualifies: the leader counts its own log toward a commit only
     * after its own write is durable (see {@link RaftNode#advance}), so a follower acking an entry the
     * leader later loses in a crash can never complete a quorum on its own. Responses and votes always
     * wait: they are promises about durable state.
     */
    public boolean isSendableBeforePersist() {
        return type == MessageType.MsgApp || type == MessageType.MsgHeartbeat || type == MessageType.MsgSnap;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(type).append(' ').append(from).append("->").append(to).append(" t").append(term);
        if (logTerm != 0 || index != 0) sb.append(" log=").append(logTerm).append('/').append(index);
        if (commit != 0) sb.append(" commit=").append(commit);
        if (!entries.isEmpty()) sb.append(" ents=").append(entries.size()).append('[')
            .append(entries.get(0).index()).append("..").append(entries.get(entries.size() - 1).index()).append(']');
        if (snapshot != null) sb.append(" snap=").append(snapshot.metadata().index());
        if (reject) sb.append(" REJECT hint=").append(rejectHint);
        if (context.length > 0) sb.append(" ctx=").append(context.length).append('b');
        return sb.toString();
    }

    /** Mutable builder for {@link Message}. */
    public static final class Builder {
        private final MessageType type;
        private long from, to, term, logTerm, index, commit, rejectHint;
        private List<Entry> entries = List.of();
        private Snapshot snapshot;
        private boolean reject;
        private byte[] context = NO_BYTES;

        Builder(MessageType type) { this.type = type; }

        public Builder from(long v) { from = v; return this; }
        Builder fromIfUnset(long v) { if (from == 0) from = v; return this; }
        public Builder to(long v) { to = v; return this; }
        public Builder term(long v) { term = v; return this; }
        public Builder logTerm(long v) { logTerm = v; return this; }
        public Builder index(long v) { index = v; return this; }
        public Builder entries(List<Entry> v) { entries = v; return this; }
        public Builder commit(long v) { commit = v; return this; }
        public Builder snapshot(Snapshot v) { snapshot = v; return this; }
        public Builder reject(boolean v) { reject = v; return this; }
        public Builder rejectHint(long v) { rejectHint = v; return this; }
        public Builder context(byte[] v) { context = v; return this; }

        public Message build() {
            return new Message(type, from, to, term, logTerm, index, entries, commit, snapshot, reject, rejectHint, context);
        }
    }
}
