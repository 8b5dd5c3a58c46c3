package io.vetcd.node;

import io.vetcd.raft.RaftNode;

/**
 * etcd's initial election tick advance (adjustTicks): once a (re)started member of a multi-member
 * cluster has its peers' streams, it jumps to two ticks before its election timeout, so a cluster
 * that starts or restarts as a whole elects a leader within a few ticks instead of a full timeout.
 *
 * <p>It is skipped when there is nothing to hasten: the member already hears a leader (a jump would
 * leave it two ticks of slack, and one late heartbeat would make it unseat that leader), or it has
 * voted for another candidate since it started, so an election is under way: a member that had just
 * voted, jumped, and not yet heard the winner campaigned some 20 ms later in a 3-member start and
 * forced a second election (README, "A 3-member cluster's start"); its own timer, reset by the vote,
 * is enough. A member that only campaigned alone while its peers were unreachable still jumps (its
 * next campaign is the one to hasten). etcd advances regardless.
 */
final class ElectionTickAdvance {
    private final int electionTick;
    private final long termAtStart;

    /** @param termAtStart raft's term when the member started it, before any message was stepped */
    ElectionTickAdvance(int electionTick, long termAtStart) {
        this.electionTick = electionTick;
        this.termAtStart = termAtStart;
    }

    /** On the core thread: advances {@code node} unless there is nothing to hasten; true if it did. */
    boolean apply(RaftNode node) {
        boolean votedForAnother = node.term() > termAtStart && node.vote() != 0 && node.vote() != node.id();
        if (node.leader() != 0 || votedForAnother) return false;
        for (int i = 0; i < ticks(); i++) node.tick();
        return true;
    }

    int ticks() { return electionTick - 2; }
}
