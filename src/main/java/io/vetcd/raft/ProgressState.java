package io.vetcd.raft;

/** How a leader is currently replicating to one follower. */
public enum ProgressState {
    /** Don't know where the follower's log diverges: send one MsgApp at a time and wait for the answer. */
    PROBE,
    /** Follower is known to match: stream MsgApps optimistically, bounded by the inflight window. */
    REPLICATE,
    /** Follower needs a snapshot; nothing else is sent until it reports back. */
    SNAPSHOT
}
