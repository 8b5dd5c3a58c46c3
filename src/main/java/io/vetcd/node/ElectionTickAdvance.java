package io.vetcd.node;

import io.vetcd.raft.RaftNode;

import java.util.random.RandomGenerator;

/**
 * etcd's initial election tick advance (adjustTicks): once a (re)started member of a multi-member
 * cluster has its peers' streams, it jumps close to its election timeout, so a cluster that starts or
 * restarts as a whole elects a leader within a few ticks instead of a full timeout.
 *
 * <p>It is skipped when there is nothing to hasten: the member already hears a leader (a jump would
 * leave it two ticks of slack, and one late heartbeat would make it unseat that leader), or it has
 * voted for another candidate since it started, so an election is under way: a member that had just
 * voted, jumped, and not yet heard the winner campaigned some 20 ms later in a 3-member start and
 * forced a second election (README, "A 3-member cluster's start"); its own timer, reset by the vote,
 * is enough. A member that only campaigned alone while its peers were unreachable still jumps (its
 * next campaign is the one to hasten). etcd advances regardless.
 *
 * <p>Where it jumps to: 1 to {@value #SPREAD_TICKS} ticks (drawn at random) before it would campaign.
 * etcd adds {@code electionTick - 2} ticks to a timer it assumes has just started, which leaves 2 to
 * electionTick + 1 ticks. But the members of a start connect to each other at nearly the same moment,
 * and a JVM that started 0.3-0.7 s before its peers had already waited 3-7 ticks: adding eight made
 * all three campaign within 35 ms of each other, split the vote and cost a second election (1.5 s,
 * bench/compare 2026-12-06), while leaving etcd's 2 to 11 ticks waited 0.5 s on average. A few ticks
 * drawn per member keep the campaigns apart and the wait short.
 */
final class ElectionTickAdvance {
    /** The ticks before the campaign are drawn from 1..SPREAD_TICKS. */
    static final int SPREAD_TICKS = 4;
    private final long termAtStart;
    private final RandomGenerator random;

    /**
     * @param termAtStart raft's term when the member started it, before any message was stepped
     * @param random the draw of the ticks left
     */
    ElectionTickAdvance(long termAtStart, RandomGenerator random) {
        this.termAtStart = termAtStart;
        this.random = random;
    }

    /** On the core thread: advances {@code node} unless there is nothing to hasten; the ticks it advanced, or -1. */
    int apply(RaftNode node) {
        boolean votedForAnother = node.term() > termAtStart && node.vote() != 0 && node.vote() != node.id();
        if (node.leader() != 0 || votedForAnother) return -1;
        int left = 1 + random.nextInt(SPREAD_TICKS);
        int advanced = Math.max(0, node.ticksUntilCampaign() - left);
        for (int i = 0; i < advanced; i++) node.tick();
        return advanced;
    }
}
