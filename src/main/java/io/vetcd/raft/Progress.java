package io.vetcd.raft;

/**
 * The leader's view of one peer: {@code match} is the highest index known replicated there,
 * {@code next} the next index to send. Mutable and owned by the leader's {@link Raft}.
 */
final class Progress {
    long match;
    long next;
    ProgressState state = ProgressState.PROBE;
    /** In PROBE: a MsgApp is outstanding, wait for its answer (or a heartbeat response) before sending another. */
    boolean probeSent;
    /** In SNAPSHOT: index of the snapshot being sent. */
    long pendingSnapshot;
    /** Heard from within the current election timeout (for CheckQuorum). */
    boolean recentActive;
    boolean isLearner;
    final Inflights inflights;

    Progress(long match, long next, int maxInflight, boolean isLearner) {
        this.match = match;
        this.next = next;
        this.inflights = new Inflights(maxInflight);
        this.isLearner = isLearner;
    }

    private void resetState(ProgressState s) {
        probeSent = false;
        pendingSnapshot = 0;
        state = s;
        inflights.reset();
    }

    void becomeProbe() {
        // After a snapshot, resume right after it (or after match, if that's further).
        if (state == ProgressState.SNAPSHOT) {
            long pending = pendingSnapshot;
            resetState(ProgressState.PROBE);
            next = Math.max(match + 1, pending + 1);
        } else {
            resetState(ProgressState.PROBE);
            next = match + 1;
        }
    }

    void becomeReplicate() {
        resetState(ProgressState.REPLICATE);
        next = match + 1;
    }

    void becomeSnapshot(long snapshotIndex) {
        resetState(ProgressState.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    /** A positive ack for index n. Returns false if it is stale (n not beyond match). */
    boolean maybeUpdate(long n) {
        boolean updated = false;
        if (match < n) {
            match = n;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, n + 1);
        return updated;
    }

    void optimisticUpdate(long n) { next = n + 1; }

    /**
     * A rejection of the MsgApp at {@code rejected}; {@code matchHint} is the follower's guess at
     * where our logs may agree. Returns false if the rejection is stale (answers an older message).
     */
    boolean maybeDecrTo(long rejected, long matchHint) {
        if (state == ProgressState.REPLICATE) {
            if (rejected <= match) return false;
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) return false;
        next = Math.max(Math.min(rejected, matchHint + 1), 1);
        probeSent = false;
        return true;
    }

    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    PeerProgress snapshotView(long id) {
        return new PeerProgress(id, match, next, state, isLearner, recentActive, inflights.count());
    }
}
