package io.vetcd.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The application's handle on one raft member (etcd's RawNode). Single-threaded and passive: it does
 * nothing unless called. The driving loop is:
 * <pre>
 *   on timer:          node.tick()
 *   on network input:  node.step(message)
 *   on client request: node.propose(data) / proposeConfChange(cc) / readIndex(ctx)
 *   whenever node.hasReady(): rd = node.ready(); persist, send, apply (see {@link Ready}); node.advance(rd)
 * </pre>
 */
public final class RaftNode {
    private final Raft raft;
    private SoftState prevSoft;
    private HardState prevHard;
    /** Last index handed out in a Ready's committed entries but not yet acknowledged by advance. */
    private long applyingUpTo;

    /**
     * Creates (or restarts) a node over {@code storage}. A new cluster's members start with a storage
     * bootstrapped with the initial membership ({@link MemoryStorage#MemoryStorage(ConfState)}); a node
     * joining an existing cluster starts empty and learns membership from the leader.
     */
    public RaftNode(RaftConfig config, Storage storage) {
        this.raft = new Raft(config, storage);
        this.prevSoft = raft.softState();
        this.prevHard = raft.hardState();
        this.applyingUpTo = raft.raftLog.applied;
    }

    public long id() { return raft.id; }

    /**
     * Starts a brand-new cluster member: writes one ADD_NODE conf change per initial voter at indexes
     * 1..n (term 1), already committed. Membership thus lives in the log, so a node that joins later and
     * replays the log from index 1 reconstructs the same membership. Only valid on an empty log; the
     * entries reach storage through the first {@link Ready}, and the application applies them like any
     * other committed conf change (re-applying an ADD_NODE is harmless).
     */
    public void bootstrap(List<Long> voters) { bootstrap(voters, id -> null); }

    /** As {@link #bootstrap(List)}, each conf change carrying the application's context for its node. */
    public void bootstrap(List<Long> voters, java.util.function.LongFunction<byte[]> context) {
        RaftLog log = raft.raftLog;
        if (log.lastIndex() != 0 || raft.term != 0) throw new IllegalStateException("bootstrap requires an empty log");
        if (voters.isEmpty()) throw new IllegalArgumentException("at least one voter required");
        raft.becomeFollower(1, Raft.NONE);
        List<Entry> ents = new ArrayList<>(voters.size());
        for (int i = 0; i < voters.size(); i++) {
            long v = voters.get(i);
            ents.add(new Entry(1, i + 1, EntryType.CONF_CHANGE, new ConfChange(ConfChangeType.ADD_NODE, v, context.apply(v)).encode()));
        }
        log.append(ents);
        log.committed = ents.size();
        for (long v : voters) raft.applyConfChange(new ConfChange(ConfChangeType.ADD_NODE, v));
    }

    /** Advances logical time by one tick: drives elections (followers) and heartbeats (leader). */
    public void tick() { raft.tick(); }

    /** Starts an election now (etcd's Campaign), regardless of the election timer. */
    public void campaign() { raft.step(Message.of(MessageType.MsgHup).from(raft.id).build()); }

    /**
     * Proposes {@code data} for the log. On a follower it is forwarded to the leader.
     *
     * @throws ProposalDroppedException if no leader is known, a leadership transfer is running, or this node was removed
     */
    public void propose(byte[] data) {
        proposeBatch(List.of(data));
    }

    /** Proposes several entries in one message: amortises the per-message cost under load. */
    public void proposeBatch(List<byte[]> data) {
        List<Entry> ents = new ArrayList<>(data.size());
        for (byte[] d : data) ents.add(new Entry(0, 0, EntryType.NORMAL, d));
        raft.step(Message.of(MessageType.MsgProp).from(raft.id).entries(ents).build());
    }

    /** Proposes a membership change; it takes effect when the application applies it via {@link #applyConfChange}. */
    public void proposeConfChange(ConfChange cc) {
        raft.step(Message.of(MessageType.MsgProp).from(raft.id)
            .entries(List.of(new Entry(0, 0, EntryType.CONF_CHANGE, cc.encode()))).build());
    }

    /**
     * Requests a linearizable read point. The answer arrives later as a {@link ReadState} in a Ready,
     * tagged with {@code requestCtx} (which must be unique among outstanding requests). If there is no
     * leader, the request is silently dropped: the application should time out and retry.
     */
    public void readIndex(byte[] requestCtx) {
        raft.step(Message.of(MessageType.MsgReadIndex).from(raft.id).context(requestCtx).build());
    }

    /** Asks the leader to hand leadership to {@code transferee}. Proposals are refused while it runs. */
    public void transferLeader(long transferee) {
        raft.step(Message.of(MessageType.MsgTransferLeader).from(transferee).build());
    }

    /**
     * Feeds a message received from a peer. Local-only message types are refused; a proposal a peer
     * forwarded that we cannot take is dropped silently (the peer's client times out and retries).
     */
    public void step(Message m) {
        if (m.type().local) throw new IllegalArgumentException("cannot step local message " + m.type());
        if (!raft.prs.containsKey(m.from()) && m.type().isResponse()) return; // from a non-member: ignore
        try {
            raft.step(m);
        } catch (ProposalDroppedException e) {
            // Forwarded proposal: nobody local is waiting on it.
        }
    }

    /** Tells the leader that a message to {@code peer} could not be delivered. */
    public void reportUnreachable(long peer) {
        raft.step(Message.of(MessageType.MsgUnreachable).from(peer).build());
    }

    /** Tells the leader whether the snapshot sent to {@code peer} was delivered. */
    public void reportSnapshot(long peer, boolean failed) {
        raft.step(Message.of(MessageType.MsgSnapStatus).from(peer).reject(failed).build());
    }

    /**
     * Applies a committed membership change to raft's view of the cluster and returns the new
     * membership (which the application persists with its next snapshot).
     */
    public ConfState applyConfChange(ConfChange cc) { return raft.applyConfChange(cc); }

    /**
     * Called at least twice per core turn, so it compares raft's fields with the last Ready's states
     * in place instead of building a SoftState and a HardState to compare (a profile of a busy
     * follower's core had 8% of its samples here, in the records' equals).
     */
    public boolean hasReady() {
        if (raft.lead != prevSoft.leader() || raft.role != prevSoft.role()) return true;
        long committed = raft.raftLog.committed;
        boolean hardEmpty = raft.term == 0 && raft.vote == 0 && committed == 0;
        if (!hardEmpty && (raft.term != prevHard.term() || raft.vote != prevHard.vote() || committed != prevHard.commit())) return true;
        UnstableLog u = raft.raftLog.unstable;
        if (u.snapshot != null) return true;
        if (!raft.msgs.isEmpty() || !u.entries.isEmpty() || !raft.readStates.isEmpty()) return true;
        return hasEntriesToApply();
    }

    private boolean hasEntriesToApply() {
        RaftLog log = raft.raftLog;
        return log.committed > Math.max(applyingUpTo, log.firstIndex() - 1);
    }

    /**
     * Collects pending work. Messages and read states are handed over (and forgotten) now; entries,
     * hard state and committed entries are only marked done by {@link #advance}. MsgApps to the same
     * follower that continue one another go out as one ({@link MergedAppends}).
     */
    public Ready ready() {
        RaftLog log = raft.raftLog;
        SoftState ss = raft.softState();
        HardState hs = raft.hardState();
        List<Entry> committed = List.of();
        if (hasEntriesToApply()) {
            long lo = Math.max(applyingUpTo + 1, log.firstIndex());
            committed = log.slice(lo, log.committed + 1, Long.MAX_VALUE);
        }
        Ready rd = new Ready(
            ss.equals(prevSoft) ? null : ss,
            hs.equals(prevHard) || hs.isEmpty() ? null : hs,
            List.copyOf(log.unstableEntries()),
            log.unstable.snapshot,
            committed,
            MergedAppends.withoutSupersededAnswers(MergedAppends.merge(raft.msgs, raft.maxMsgSize())),
            raft.readStates,
            !hs.equals(prevHard) && (hs.term() != prevHard.term() || hs.vote() != prevHard.vote())
                || !log.unstableEntries().isEmpty());
        raft.msgs = new ArrayList<>();
        raft.readStates = new ArrayList<>();
        prevSoft = ss;
        if (rd.hardState() != null) prevHard = hs;
        if (!committed.isEmpty()) applyingUpTo = committed.get(committed.size() - 1).index();
        return rd;
    }

    /** Acknowledges that {@code rd} has been persisted and its committed entries applied. */
    public void advance(Ready rd) {
        RaftLog log = raft.raftLog;
        if (!rd.committedEntries().isEmpty()) {
            log.appliedTo(rd.committedEntries().get(rd.committedEntries().size() - 1).index());
        }
        if (rd.snapshot() != null) {
            log.stableSnapTo(rd.snapshot().index());
            // Installing a snapshot is applying it.
            if (rd.snapshot().index() > log.applied) log.applied = rd.snapshot().index();
            applyingUpTo = Math.max(applyingUpTo, log.applied);
        }
        if (!rd.entries().isEmpty()) {
            Entry last = rd.entries().get(rd.entries().size() - 1);
            log.stableTo(last.index(), last.term());
            raft.onLocalPersisted(last.index(), last.term());
        }
    }

    public Status status() { return raft.status(); }

    public long term() { return raft.term; }

    public long leader() { return raft.lead; }

    /** Whom this node voted for in its current term (0: nobody yet). */
    public long vote() { return raft.vote; }

    /** Ticks left before this node campaigns, if nothing resets its election timer (a follower's or candidate's). */
    public int ticksUntilCampaign() { return raft.ticksUntilCampaign(); }

    public Role role() { return raft.role; }

    public boolean isLeader() { return raft.role == Role.LEADER; }

    public long committedIndex() { return raft.raftLog.committed; }

    public long appliedIndex() { return raft.raftLog.applied; }

    public long lastIndex() { return raft.raftLog.lastIndex(); }

    /** Term of entry {@code index} in this node's log, 0 if not known (compacted or beyond the end). */
    public long termAt(long index) { return raft.raftLog.term(index); }

    public long firstIndex() { return raft.raftLog.firstIndex(); }

    public ConfState confState() { return raft.confState(); }

    /** Internals, for tests in this package (invariant checkers read the in-memory log). */
    Raft raft() { return raft; }
}
