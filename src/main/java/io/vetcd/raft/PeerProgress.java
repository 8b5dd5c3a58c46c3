package io.vetcd.raft;

/** Read-only copy of the leader's replication progress for one peer, for {@link Status}. */
public record PeerProgress(long id, long match, long next, ProgressState state, boolean isLearner,
                           boolean recentActive, int inflight) {}
