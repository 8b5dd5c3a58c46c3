package io.vetcd.raft;

import java.util.random.RandomGenerator;

/**
 * Static parameters of a node. Times are in ticks: the application decides how long a tick is
 * (etcd uses 100ms with electionTick=10, heartbeatTick=1).
 *
 * @param id              this node's id, non-zero
 * @param electionTick    a follower that hears nothing for a random duration in [electionTick, 2*electionTick) campaigns
 * @param heartbeatTick   a leader sends heartbeats every heartbeatTick ticks; must be < electionTick
 * @param maxSizePerMsg   soft byte limit of entries in one MsgApp
 * @param maxInflightMsgs how many MsgApps may be unacknowledged per follower while streaming
 * @param checkQuorum     leader steps down without a quorum of recent contact; followers honour a leader lease
 * @param preVote         probe electability before bumping the term, so a rejoining node can't disrupt
 * @param applied         the last index the application has already applied (at least the latest snapshot's index is assumed)
 * @param random          the only source of randomness (election jitter); seed it for reproducible runs
 */
public record RaftConfig(long id, int electionTick, int heartbeatTick, long maxSizePerMsg, int maxInflightMsgs,
                         boolean checkQuorum, boolean preVote, long applied, RandomGenerator random) {
    public RaftConfig {
        if (id == 0) throw new IllegalArgumentException("id must not be 0");
        if (heartbeatTick <= 0) throw new IllegalArgumentException("heartbeatTick must be > 0");
        if (electionTick <= heartbeatTick) throw new IllegalArgumentException("electionTick must be > heartbeatTick");
        if (maxInflightMsgs <= 0) throw new IllegalArgumentException("maxInflightMsgs must be > 0");
        if (maxSizePerMsg <= 0) maxSizePerMsg = Long.MAX_VALUE;
        if (random == null) throw new IllegalArgumentException("random source required (seeded, for determinism)");
    }

    /** etcd-like defaults: election 10 ticks, heartbeat 1, 1 MiB per message, 256 inflight, CheckQuorum and PreVote on. */
    public static RaftConfig defaults(long id, RandomGenerator random) {
        return new RaftConfig(id, 10, 1, 1 << 20, 256, true, true, 0, random);
    }

    public RaftConfig withApplied(long applied) {
        return new RaftConfig(id, electionTick, heartbeatTick, maxSizePerMsg, maxInflightMsgs, checkQuorum, preVote, applied, random);
    }

    public RaftConfig withRandom(RandomGenerator r) {
        return new RaftConfig(id, electionTick, heartbeatTick, maxSizePerMsg, maxInflightMsgs, checkQuorum, preVote, applied, r);
    }

    public RaftConfig withCheckQuorum(boolean on) {
        return new RaftConfig(id, electionTick, heartbeatTick, maxSizePerMsg, maxInflightMsgs, on, preVote, applied, random);
    }

    public RaftConfig withPreVote(boolean on) {
        return new RaftConfig(id, electionTick, heartbeatTick, maxSizePerMsg, maxInflightMsgs, checkQuorum, on, applied, random);
    }

    public RaftConfig withLimits(long maxSizePerMsg, int maxInflightMsgs) {
        return new RaftConfig(id, electionTick, heartbeatTick, maxSizePerMsg, maxInflightMsgs, checkQuorum, preVote, applied, random);
    }
}
