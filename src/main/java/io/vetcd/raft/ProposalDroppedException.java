package io.vetcd.raft;

/**
 * The node cannot accept a proposal right now: there is no known leader, a leadership transfer is in
 * progress, or this node is not a member. Thrown immediately so callers fail fast and retry instead of
 * waiting on a proposal that will never commit.
 */
public final class ProposalDroppedException extends RuntimeException {
    public ProposalDroppedException(String why) {
        super("raft proposal dropped: " + why, null, false, false);
    }
}
