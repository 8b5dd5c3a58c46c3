package io.vetcd.raft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.vetcd.raft.MessageType.*;

/**
 * The raft protocol proper: a state machine whose inputs are {@link Message}s (timer ticks arrive as
 * local messages too) and whose outputs are appended to {@link #msgs} and to the {@link RaftLog}.
 * Package-private: applications drive it through {@link RaftNode}, which adds the Ready/advance
 * hand-off. Everything here runs on one thread with no clock and no I/O.
 */
final class Raft {
    static final long NONE = 0;
    /** Marks a MsgVote sent because the leader asked us to take over; it must cut through leader leases. */
    static final byte[] CAMPAIGN_TRANSFER = "CampaignTransfer".getBytes(StandardCharsets.US_ASCII);

    final long id;
    long term;
    long vote;
    Role role = Role.FOLLOWER;
    long lead = NONE;
    final RaftLog raftLog;

    /** Every member's progress (voters and learners), sorted by id so iteration is deterministic. */
    final TreeMap<Long, Progress> prs = new TreeMap<>();
    private final TreeMap<Long, Boolean> votes = new TreeMap<>();

    List<Message> msgs = new ArrayList<>();
    List<ReadState> readStates = new ArrayList<>();
    private final PendingReads pendingReads = new PendingReads();
    /** ReadIndex requests that arrived before this leader committed an entry of its own term. */
    private final List<Message> readsAwaitingCommit = new ArrayList<>();

    /** Leader: index of the latest conf change in the log; another may be proposed only once it is applied. */
    long pendingConfIndex;
    long leadTransferee = NONE;

    private final long maxMsgSize;
    private final int maxInflight;
    private final boolean checkQuorum;
    private final boolean preVote;
    private final int electionTimeout;
    private final int heartbeatTimeout;
    private final java.util.random.RandomGenerator random;
    private int randomizedElectionTimeout;
    /** Follower/candidate: ticks since last valid leader contact. Leader: ticks since last quorum check. */
    int electionElapsed;
    private int heartbeatElapsed;

    Raft(RaftConfig c, Storage storage) {
        this.id = c.id();
        this.raftLog = new RaftLog(storage);
        this.maxMsgSize = c.maxSizePerMsg();
        this.maxInflight = c.maxInflightMsgs();
        this.checkQuorum = c.checkQuorum();
        this.preVote = c.preVote();
        this.electionTimeout = c.electionTick();
        this.heartbeatTimeout = c.heartbeatTick();
        this.random = c.random();

        InitialState st = storage.initialState();
        ConfState cs = st.confState();
        for (long v : cs.voters()) prs.put(v, newProgress(false));
        for (long l : cs.learners()) prs.put(l, newProgress(true));
        HardState hs = st.hardState();
        if (!hs.isEmpty()) {
            if (hs.commit() < raftLog.committed || hs.commit() > raftLog.lastIndex()) {
                throw new IllegalStateException("hard state commit " + hs.commit() + " out of range ["
                    + raftLog.committed + ", " + raftLog.lastIndex() + "]");
            }
            raftLog.committed = hs.commit();
            term = hs.term();
            vote = hs.vote();
        }
        // The application restores its state from the latest snapshot, so that much is applied even if
        // the log still holds entries before it (compaction may lag snapshots).
        long applied = Math.max(c.applied(), storage.snapshot().index());
        if (applied > raftLog.applied) raftLog.appliedTo(Math.min(applied, raftLog.committed));
        becomeFollower(term, NONE);
    }

    private Progress newProgress(boolean learner) {
        return new Progress(0, raftLog.lastIndex() + 1, maxInflight, learner);
    }

    // ---------------------------------------------------------------- membership helpers

    int voterCount() {
        int n = 0;
        for (Progress p : prs.values()) if (!p.isLearner) n++;
        return n;
    }

    int quorum() { return voterCount() / 2 + 1; }

    /** A node may campaign only if it is a voting member. */
    boolean promotable() {
        Progress p = prs.get(id);
        return p != null && !p.isLearner;
    }

    boolean isLearner() {
        Progress p = prs.get(id);
        return p != null && p.isLearner;
    }

    ConfState confState() {
        TreeSet<Long> v = new TreeSet<>(), l = new TreeSet<>();
        for (Map.Entry<Long, Progress> e : prs.entrySet()) (e.getValue().isLearner ? l : v).add(e.getKey());
        return new ConfState(v, l);
    }

    /** The soft byte limit of the entries in one MsgApp. */
    long maxMsgSize() { return maxMsgSize; }

    HardState hardState() { return new HardState(term, vote, raftLog.committed); }

    SoftState softState() { return new SoftState(lead, role); }

    // ---------------------------------------------------------------- sending

    private void send(Message.Builder b) {
        b.fromIfUnset(id);
        // Votes and vote responses carry their own term (a pre-vote is for a future term); proposals
        // and ReadIndex forwards are termless; everything else is stamped with our current term.
        switch (b.type()) {
            case MsgVote, MsgVoteResp, MsgPreVote, MsgPreVoteResp -> {
                if (b.term() == 0) throw new IllegalStateException("term should be set when sending " + b.type());
            }
            case MsgProp, MsgReadIndex -> {}
            default -> b.term(term);
        }
        msgs.add(b.build());
    }

    /** Sends entries (or a snapshot if they are compacted) to {@code to}. Returns whether anything was sent. */
    boolean maybeSendAppend(long to, boolean sendIfEmpty) {
        Progress pr = prs.get(to);
        if (pr.isPaused()) return false;
        long prevIndex = pr.next - 1;
        long prevTerm = raftLog.termOrUnknown(prevIndex);
        List<Entry> ents = null;
        if (prevTerm >= 0) {
            try {
                ents = raftLog.entriesFrom(pr.next, maxMsgSize);
            } catch (CompactedException e) {
                ents = null;
            }
        }
        if (ents == null) {
            // The follower needs entries we no longer have: send the snapshot instead.
            if (!pr.recentActive) return false;
            Snapshot snap;
            try {
                snap = raftLog.snapshot();
            } catch (SnapshotTemporarilyUnavailableException e) {
                return false;
            }
            if (snap.isEmpty()) throw new IllegalStateException("need non-empty snapshot");
            send(Message.of(MsgSnap).to(to).snapshot(snap));
            pr.becomeSnapshot(snap.index());
            return true;
        }
        if (ents.isEmpty() && !sendIfEmpty) return false;
        send(Message.of(MsgApp).to(to).index(prevIndex).logTerm(prevTerm).entries(ents).commit(raftLog.committed));
        if (!ents.isEmpty()) {
            long last = ents.get(ents.size() - 1).index();
            switch (pr.state) {
                case REPLICATE -> {
                    pr.optimisticUpdate(last);
                    pr.inflights.add(last);
                }
                case PROBE -> pr.probeSent = true;
                default -> throw new IllegalStateException("sending append in state " + pr.state);
            }
        }
        return true;
    }

    void sendAppend(long to) { maybeSendAppend(to, true); }

    private void sendHeartbeat(long to, byte[] ctx) {
        // Never tell a follower to commit past what it is known to have; it may not have the entries.
        long commit = Math.min(prs.get(to).match, raftLog.committed);
        send(Message.of(MsgHeartbeat).to(to).commit(commit).context(ctx));
    }

    void bcastAppend() {
        for (long to : prs.keySet()) if (to != id) sendAppend(to);
    }

    private void bcastHeartbeat() {
        byte[] ctx = pendingReads.lastContext();
        for (long to : prs.keySet()) if (to != id) sendHeartbeat(to, ctx);
    }

    // ---------------------------------------------------------------- commit

    /** Leader: advance commit to the highest index a quorum of voters has, if it is from our term. */
    boolean maybeCommit() {
        long[] matches = new long[voterCount()];
        int i = 0;
        for (Progress p : prs.values()) if (!p.isLearner) matches[i++] = p.match;
        if (matches.length == 0) return false;
        Arrays.sort(matches);
        long mci = matches[matches.length - quorum()];
        return raftLog.maybeCommit(mci, term);
    }

    /** Whether the leader has committed an entry of its own term; until then its commit index may be stale. */
    private boolean committedEntryInCurrentTerm() {
        return raftLog.term(raftLog.committed) == term;
    }

    /**
     * The application has made entries through {@code index} (of {@code entryTerm}) durable. A leader
     * counts its own log toward commit only now, which is what lets it send MsgApp before its own write.
     */
    void onLocalPersisted(long index, long entryTerm) {
        if (role != Role.LEADER) return;
        Progress self = prs.get(id);
        if (self == null) return;
        if (raftLog.termOrUnknown(index) != entryTerm) return;
        if (self.maybeUpdate(index) && maybeCommit()) {
            onCommitAdvanced();
        }
    }

    private void onCommitAdvanced() {
        bcastAppend();
        if (committedEntryInCurrentTerm() && !readsAwaitingCommit.isEmpty()) {
            List<Message> waiting = new ArrayList<>(readsAwaitingCommit);
            readsAwaitingCommit.clear();
            for (Message m : waiting) stepLeader(m);
        }
    }

    // ---------------------------------------------------------------- role transitions

    private void reset(long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            vote = NONE;
        }
        lead = NONE;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        resetRandomizedElectionTimeout();
        abortLeaderTransfer();
        votes.clear();
        long last = raftLog.lastIndex();
        for (Map.Entry<Long, Progress> e : prs.entrySet()) {
            Progress old = e.getValue();
            Progress p = new Progress(0, last + 1, maxInflight, old.isLearner);
            if (e.getKey() == id) p.match = raftLog.lastStableIndex();
            e.setValue(p);
        }
        pendingConfIndex = 0;
        pendingReads.clear();
        readsAwaitingCommit.clear();
    }

    int ticksUntilCampaign() {
        return Math.max(0, randomizedElectionTimeout - electionElapsed);
    }

    private void resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = electionTimeout + random.nextInt(electionTimeout);
    }

    void becomeFollower(long newTerm, long leader) {
        reset(newTerm);
        lead = leader;
        role = Role.FOLLOWER;
    }

    private void becomeCandidate() {
        if (role == Role.LEADER) throw new IllegalStateException("invalid transition [leader -> candidate]");
        reset(term + 1);
        vote = id;
        role = Role.CANDIDATE;
    }

    /** Like a candidate, but without touching term or vote: a failed pre-vote leaves no trace. */
    private void becomePreCandidate() {
        if (role == Role.LEADER) throw new IllegalStateException("invalid transition [leader -> pre-candidate]");
        votes.clear();
        lead = NONE;
        role = Role.PRE_CANDIDATE;
    }

    private void becomeLeader() {
        if (role == Role.FOLLOWER) throw new IllegalStateException("invalid transition [follower -> leader]");
        reset(term);
        lead = id;
        role = Role.LEADER;
        prs.get(id).becomeReplicate();
        prs.get(id).match = raftLog.lastStableIndex();
        // Conservatively treat any conf change still in our log as pending; it is cleared once applied.
        pendingConfIndex = raftLog.lastIndex();
        // An empty entry of our term: committing it commits everything before it (§5.4.2) and
        // unlocks ReadIndex.
        appendEntries(List.of(new Entry(0, 0, EntryType.NORMAL, null)));
    }

    private void appendEntries(List<Entry> es) {
        long li = raftLog.lastIndex();
        List<Entry> stamped = new ArrayList<>(es.size());
        for (int i = 0; i < es.size(); i++) {
            Entry e = es.get(i);
            stamped.add(new Entry(term, li + 1 + i, e.type(), e.data()));
        }
        raftLog.append(stamped);
    }

    // ---------------------------------------------------------------- elections

    private enum CampaignType { PRE_ELECTION, ELECTION, TRANSFER }

    private void hup(CampaignType t) {
        if (role == Role.LEADER) return;
        if (!promotable()) return;
        // A conf change committed but not yet applied could change who may vote; wait for it.
        if (raftLog.committed > raftLog.applied) {
            for (Entry e : raftLog.slice(raftLog.applied + 1, raftLog.committed + 1, Long.MAX_VALUE)) {
                if (e.type() == EntryType.CONF_CHANGE) return;
            }
        }
        campaign(t);
    }

    private void campaign(CampaignType t) {
        long voteTerm;
        MessageType voteMsg;
        if (t == CampaignType.PRE_ELECTION) {
            becomePreCandidate();
            voteMsg = MsgPreVote;
            voteTerm = term + 1; // the term we would campaign in; ours is unchanged
        } else {
            becomeCandidate();
            voteMsg = MsgVote;
            voteTerm = term;
        }
        if (poll(id, voteMsg.voteResponse(), true) == VoteResult.WON) {
            // Single-voter cluster: we won on our own vote.
            if (t == CampaignType.PRE_ELECTION) campaign(CampaignType.ELECTION);
            else becomeLeader();
            return;
        }
        for (Map.Entry<Long, Progress> e : prs.entrySet()) {
            if (e.getKey() == id || e.getValue().isLearner) continue;
            send(Message.of(voteMsg).to(e.getKey()).term(voteTerm).index(raftLog.lastIndex()).logTerm(raftLog.lastTerm())
                .context(t == CampaignType.TRANSFER ? CAMPAIGN_TRANSFER : null));
        }
    }

    private enum VoteResult { PENDING, WON, LOST }

    private VoteResult poll(long from, MessageType t, boolean granted) {
        votes.putIfAbsent(from, granted);
        int yes = 0, no = 0;
        for (Map.Entry<Long, Progress> e : prs.entrySet()) {
            if (e.getValue().isLearner) continue; // only voters' votes count
            Boolean v = votes.get(e.getKey());
            if (v == null) continue;
            if (v) yes++; else no++;
        }
        int q = quorum();
        if (yes >= q) return VoteResult.WON;
        if (no > voterCount() - q) return VoteResult.LOST;
        return VoteResult.PENDING;
    }

    // ---------------------------------------------------------------- ticks

    void tick() {
        if (role == Role.LEADER) tickHeartbeat();
        else tickElection();
    }

    private void tickElection() {
        electionElapsed++;
        if (promotable() && electionElapsed >= randomizedElectionTimeout) {
            electionElapsed = 0;
            step(Message.of(MsgHup).from(id).build());
        }
    }

    private void tickHeartbeat() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= electionTimeout) {
            electionElapsed = 0;
            if (checkQuorum) step(Message.of(MsgCheckQuorum).from(id).build());
            // A transfer that hasn't finished within an election timeout has failed; resume service.
            if (role == Role.LEADER && leadTransferee != NONE) abortLeaderTransfer();
        }
        if (role != Role.LEADER) return;
        if (heartbeatElapsed >= heartbeatTimeout) {
            heartbeatElapsed = 0;
            step(Message.of(MsgBeat).from(id).build());
        }
    }

    void abortLeaderTransfer() { leadTransferee = NONE; }

    // ---------------------------------------------------------------- step

    void step(Message m) {
        // First, reconcile terms.
        if (m.term() == 0) {
            // local message or termless forward
        } else if (m.term() > term) {
            if (m.type() == MsgVote || m.type() == MsgPreVote) {
                boolean force = Arrays.equals(m.context(), CAMPAIGN_TRANSFER);
                boolean inLease = checkQuorum && lead != NONE && electionElapsed < electionTimeout;
                // We heard from a live leader recently: this candidate is probably partitioned or
                // removed; ignore it rather than let it depose a working leader.
                if (!force && inLease) return;
            }
            if (m.type() == MsgPreVote) {
                // Never change our term in response to a pre-vote.
            } else if (m.type() == MsgPreVoteResp && !m.reject()) {
                // Granted pre-votes carry the future term; we bump it only on winning the pre-election.
            } else if (m.type() == MsgApp || m.type() == MsgHeartbeat || m.type() == MsgSnap) {
                becomeFollower(m.term(), m.from());
            } else {
                becomeFollower(m.term(), NONE);
            }
        } else if (m.term() < term) {
            if ((checkQuorum || preVote) && (m.type() == MsgHeartbeat || m.type() == MsgApp)) {
                // A stale leader: answer so it learns our term and steps down. (With check quorum or
                // pre-vote we won't bump our own term to reach it via elections.)
                send(Message.of(MsgAppResp).to(m.from()));
            } else if (m.type() == MsgPreVote) {
                send(Message.of(MsgPreVoteResp).to(m.from()).term(term).reject(true));
            }
            return; // everything else from an old term is ignored
        }

        switch (m.type()) {
            case MsgHup -> hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
            case MsgVote, MsgPreVote -> handleVoteRequest(m);
            default -> {
                switch (role) {
                    case LEADER -> stepLeader(m);
                    case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
                    case FOLLOWER -> stepFollower(m);
                }
            }
        }
    }

    private void handleVoteRequest(Message m) {
        // Every node answers, even one that believes it is a learner or is not in its own config yet:
        // it may have been promoted/added without having applied that change, and the candidate
        // (whose config already has it as a voter) may need its vote to make progress. Safety is not
        // at stake: a candidate counts only the votes of nodes that are voters in its own config.
        // We can vote if we already voted for this candidate (a retry), or have voted for no one and
        // know of no leader in this term, or this is a pre-vote for a future term.
        boolean canVote = vote == m.from()
            || (vote == NONE && lead == NONE)
            || (m.type() == MsgPreVote && m.term() > term);
        if (canVote && raftLog.isUpToDate(m.index(), m.logTerm())) {
            // Reply with the request's term: for a pre-vote that is a future term we haven't adopted.
            send(Message.of(m.type().voteResponse()).to(m.from()).term(m.term()));
            if (m.type() == MsgVote) {
                electionElapsed = 0;
                vote = m.from();
            }
        } else {
            send(Message.of(m.type().voteResponse()).to(m.from()).term(term).reject(true));
        }
    }

    private void stepLeader(Message m) {
        switch (m.type()) {
            case MsgBeat -> {
                bcastHeartbeat();
                return;
            }
            case MsgCheckQuorum -> {
                if (!quorumActive()) becomeFollower(term, NONE);
                return;
            }
            case MsgProp -> {
                if (m.entries().isEmpty()) throw new IllegalArgumentException("stepped empty MsgProp");
                if (!prs.containsKey(id)) throw new ProposalDroppedException("leader was removed from the cluster");
                if (leadTransferee != NONE) throw new ProposalDroppedException("leadership transfer to " + leadTransferee + " in progress");
                List<Entry> ents = m.entries();
                for (int i = 0; i < ents.size(); i++) {
                    if (ents.get(i).type() != EntryType.CONF_CHANGE) continue;
                    if (pendingConfIndex > raftLog.applied) {
                        // One membership change at a time: neutralise this one, keeping the batch's positions.
                        if (ents == m.entries()) ents = new ArrayList<>(ents);
                        ents.set(i, new Entry(0, 0, EntryType.NORMAL, null));
                    } else {
                        pendingConfIndex = raftLog.lastIndex() + i + 1;
                    }
                }
                appendEntries(ents);
                bcastAppend();
                return;
            }
            case MsgReadIndex -> {
                handleReadIndexAsLeader(m);
                return;
            }
            default -> {}
        }

        Progress pr = prs.get(m.from());
        if (pr == null) return; // not a member (e.g. removed): ignore
        switch (m.type()) {
            case MsgAppResp -> handleAppendResponse(m, pr);
            case MsgHeartbeatResp -> {
                pr.recentActive = true;
                pr.probeSent = false;
                // Free one slot so a stuck full window can make progress after message loss.
                if (pr.state == ProgressState.REPLICATE && pr.inflights.full()) pr.inflights.freeFirstOne();
                if (pr.match < raftLog.lastIndex()) sendAppend(m.from());
                maybeStepDownAfterRemoval();
                if (role != Role.LEADER) return;
                if (m.context().length > 0) {
                    Set<Long> acks = pendingReads.ack(m.from(), m.context());
                    if (acks != null && countVoters(acks) + (isVoter(id) ? 1 : 0) >= quorum()) {
                        for (PendingReads.Request r : pendingReads.releaseThrough(m.context())) answerRead(r.from, r.index, r.context);
                    }
                }
            }
            case MsgSnapStatus -> {
                if (pr.state != ProgressState.SNAPSHOT) return;
                if (m.reject()) pr.pendingSnapshot = 0;
                pr.becomeProbe();
                // Wait for a heartbeat response before probing, so we don't spin on a broken follower.
                pr.probeSent = true;
            }
            case MsgUnreachable -> {
                // Optimistic streaming to an unreachable peer is wasted; probe instead.
                if (pr.state == ProgressState.REPLICATE) pr.becomeProbe();
            }
            case MsgTransferLeader -> {
                if (pr.isLearner) return;
                long transferee = m.from();
                if (leadTransferee != NONE) {
                    if (leadTransferee == transferee) return; // already in progress
                    abortLeaderTransfer();
                }
                if (transferee == id) return; // already leader
                // The transfer must complete within an election timeout (see tickHeartbeat).
                electionElapsed = 0;
                leadTransferee = transferee;
                if (pr.match == raftLog.lastIndex()) sendTimeoutNow(transferee);
                else sendAppend(transferee);
            }
            default -> {}
        }
    }

    private boolean isVoter(long nodeId) {
        Progress p = prs.get(nodeId);
        return p != null && !p.isLearner;
    }

    private int countVoters(Set<Long> ids) {
        int n = 0;
        for (long x : ids) if (x != id && isVoter(x)) n++;
        return n;
    }

    private void handleAppendResponse(Message m, Progress pr) {
        pr.recentActive = true;
        if (m.reject()) {
            long nextProbe = m.rejectHint();
            if (m.logTerm() > 0) {
                // The follower's log at rejectHint has term logTerm. Skip back in our own log to the last
                // entry with term <= logTerm: everything after it cannot match.
                nextProbe = raftLog.findConflictByTerm(m.rejectHint(), m.logTerm());
            }
            if (pr.maybeDecrTo(m.index(), nextProbe)) {
                if (pr.state == ProgressState.REPLICATE) pr.becomeProbe();
                sendAppend(m.from());
            }
            return;
        }
        boolean wasPaused = pr.isPaused();
        if (!pr.maybeUpdate(m.index())) return;
        switch (pr.state) {
            case PROBE -> pr.becomeReplicate();
            case SNAPSHOT -> {
                if (pr.match >= pr.pendingSnapshot) {
                    pr.becomeProbe();
                    pr.becomeReplicate();
                }
            }
            case REPLICATE -> pr.inflights.freeLE(m.index());
        }
        if (maybeCommit()) {
            onCommitAdvanced();
        } else if (wasPaused) {
            sendAppend(m.from());
        }
        // Fill the window: send as much as flow control allows.
        while (maybeSendAppend(m.from(), false)) {}
        if (m.from() == leadTransferee && pr.match == raftLog.lastIndex()) sendTimeoutNow(m.from());
        maybeStepDownAfterRemoval();
    }

    private void sendTimeoutNow(long to) { send(Message.of(MsgTimeoutNow).to(to)); }

    private void handleReadIndexAsLeader(Message m) {
        if (!committedEntryInCurrentTerm()) {
            // Our commit index may lag what was committed before we took over (by a previous leader,
            // or by ourselves before a restart lost the unsynced commit index); wait for our first commit.
            readsAwaitingCommit.add(m);
            return;
        }
        if (voterCount() == 1 && isVoter(id)) {
            // Alone: no one else can have a newer commit index.
            answerRead(m.from(), raftLog.committed, m.context());
            return;
        }
        if (m.from() != id && m.from() != NONE && quorum() <= 2 && isVoter(id) && isVoter(m.from())) {
            // Two or three voters, asked by a voting follower: we and the asker are a quorum, and the
            // asker vouches for itself. Our answer is stamped with our term, and a follower drops a
            // message of a term older than its own (stepFollower takes the answer only in our term),
            // so the asker uses it only if it has not moved past our term (voted or heard of a newer
            // leader) by the time the answer arrives, which is after we read our commit index here.
            // A leader of a newer term elected before now needed a quorum of voters, so us (then we
            // would not be leading now) or the asker (then it drops the answer). Hence when the asker
            // takes it, we were the only leader when we read the index, as a heartbeat round would
            // have shown, minus the round: one round trip for a follower's read instead of two, and
            // no heartbeats. Answered alone, never by a later request's acks: releasing queued
            // requests here would serve ours (or another asker's) on evidence only this asker holds.
            answerRead(m.from(), raftLog.committed, m.context());
            return;
        }
        pendingReads.add(raftLog.committed, m.from(), m.context());
        Set<Long> acks = pendingReads.ack(id, m.context());
        if (acks != null && countVoters(acks) + 1 >= quorum()) {
            for (PendingReads.Request r : pendingReads.releaseThrough(m.context())) answerRead(r.from, r.index, r.context);
            return;
        }
        bcastHeartbeat();
    }

    private void answerRead(long from, long index, byte[] ctx) {
        if (from == NONE || from == id) {
            readStates.add(new ReadState(index, ctx));
        } else {
            send(Message.of(MsgReadIndexResp).to(from).index(index).context(ctx));
        }
    }

    /** Whether a quorum of voters has been heard from since the last check; resets the marks for the next period. */
    private boolean quorumActive() {
        int active = 0;
        for (Map.Entry<Long, Progress> e : prs.entrySet()) {
            Progress p = e.getValue();
            if (e.getKey() == id) {
                if (!p.isLearner) active++;
                continue;
            }
            if (p.recentActive && !p.isLearner) active++;
            p.recentActive = false;
        }
        return active >= quorum();
    }

    private void stepCandidate(Message m) {
        MessageType myVoteResp = role == Role.PRE_CANDIDATE ? MsgPreVoteResp : MsgVoteResp;
        switch (m.type()) {
            case MsgProp -> throw new ProposalDroppedException("no leader (election in progress)");
            case MsgApp -> {
                becomeFollower(m.term(), m.from());
                handleAppendEntries(m);
            }
            case MsgHeartbeat -> {
                becomeFollower(m.term(), m.from());
                handleHeartbeat(m);
            }
            case MsgSnap -> {
                becomeFollower(m.term(), m.from());
                handleSnapshot(m);
            }
            case MsgTransferLeader, MsgReadIndex -> {} // no leader to forward to: dropped
            default -> {
                if (m.type() != myVoteResp) return;
                VoteResult r = poll(m.from(), m.type(), !m.reject());
                if (r == VoteResult.WON) {
                    if (role == Role.PRE_CANDIDATE) {
                        campaign(CampaignType.ELECTION);
                    } else {
                        becomeLeader();
                        bcastAppend();
                    }
                } else if (r == VoteResult.LOST) {
                    // A pre-candidate that lost keeps its term; a candidate stays in its new term.
                    becomeFollower(term, NONE);
                }
            }
        }
    }

    private void stepFollower(Message m) {
        switch (m.type()) {
            case MsgProp -> {
                if (lead == NONE) throw new ProposalDroppedException("no leader");
                send(m.toBuilder().to(lead));
            }
            case MsgApp -> {
                electionElapsed = 0;
                lead = m.from();
                handleAppendEntries(m);
            }
            case MsgHeartbeat -> {
                electionElapsed = 0;
                lead = m.from();
                handleHeartbeat(m);
            }
            case MsgSnap -> {
                electionElapsed = 0;
                lead = m.from();
                handleSnapshot(m);
            }
            case MsgTransferLeader -> {
                if (lead == NONE) return;
                send(m.toBuilder().to(lead));
            }
            case MsgTimeoutNow -> {
                // Leadership transfer skips pre-vote: the leader itself asked us to take over.
                if (promotable()) campaign(CampaignType.TRANSFER);
            }
            case MsgReadIndex -> {
                if (lead == NONE) return; // dropped; the application retries
                send(m.toBuilder().to(lead));
            }
            case MsgReadIndexResp -> {
                // Only an answer of our own term: the leader may have answered without a heartbeat
                // round, counting on us to drop it if we have moved on (see handleReadIndexAsLeader).
                // Older terms never get here (step); a termless one would skip that check.
                if (m.term() != term) return;
                readStates.add(new ReadState(m.index(), m.context()));
            }
            default -> {}
        }
    }

    private void handleAppendEntries(Message m) {
        if (m.index() < raftLog.committed) {
            // Everything up to our commit is settled; tell the leader where we are.
            send(Message.of(MsgAppResp).to(m.from()).index(raftLog.committed));
            return;
        }
        long lastNew = raftLog.maybeAppend(m.index(), m.logTerm(), m.commit(), m.entries());
        if (lastNew >= 0) {
            send(Message.of(MsgAppResp).to(m.from()).index(lastNew));
            return;
        }
        // Mismatch. Hint the largest index whose term is <= the leader's term at m.index, so the
        // leader can skip a whole term of entries per round trip instead of one entry.
        long hintIndex = Math.min(m.index(), raftLog.lastIndex());
        hintIndex = raftLog.findConflictByTerm(hintIndex, m.logTerm());
        long hintTerm = raftLog.term(hintIndex);
        send(Message.of(MsgAppResp).to(m.from()).index(m.index()).reject(true).rejectHint(hintIndex).logTerm(hintTerm));
    }

    private void handleHeartbeat(Message m) {
        raftLog.commitTo(m.commit());
        send(Message.of(MsgHeartbeatResp).to(m.from()).context(m.context()));
    }

    private void handleSnapshot(Message m) {
        Snapshot s = m.snapshot();
        if (s != null && restore(s)) {
            send(Message.of(MsgAppResp).to(m.from()).index(raftLog.lastIndex()));
        } else {
            send(Message.of(MsgAppResp).to(m.from()).index(raftLog.committed));
        }
    }

    /** Installs a snapshot from the leader if it is news to us. Returns false if it was ignored. */
    boolean restore(Snapshot s) {
        if (s.index() <= raftLog.committed) return false;
        if (role != Role.FOLLOWER) return false; // only followers install snapshots (callers ensure it)
        ConfState cs = s.metadata().confState();
        if (!cs.contains(id)) return false; // a snapshot of a cluster we're not in: ignore
        if (raftLog.matchTerm(s.index(), s.term())) {
            // We already have this prefix: just fast-forward the commit.
            raftLog.commitTo(s.index());
            return false;
        }
        raftLog.restore(s);
        prs.clear();
        for (long v : cs.voters()) prs.put(v, newProgress(false));
        for (long l : cs.learners()) prs.put(l, newProgress(true));
        Progress self = prs.get(id);
        self.match = raftLog.lastStableIndex();
        return true;
    }

    // ---------------------------------------------------------------- membership

    ConfState applyConfChange(ConfChange cc) {
        long nodeId = cc.nodeId();
        switch (cc.type()) {
            case ADD_NODE -> {
                Progress p = prs.get(nodeId);
                if (p == null) {
                    prs.put(nodeId, newProgressForNewMember());
                } else {
                    p.isLearner = false; // promoting a learner keeps its progress
                }
            }
            case ADD_LEARNER_NODE -> {
                Progress p = prs.get(nodeId);
                // Demoting a voter directly is not supported in single-step changes; ignore.
                if (p == null) {
                    Progress n = newProgressForNewMember();
                    n.isLearner = true;
                    prs.put(nodeId, n);
                }
            }
            case REMOVE_NODE -> {
                prs.remove(nodeId);
                if (nodeId == leadTransferee) abortLeaderTransfer();
            }
            case UPDATE_NODE -> {}
        }
        if (role == Role.LEADER) {
            // Removing a node can shrink the quorum so more entries are now committed.
            if (voterCount() > 0 && maybeCommit()) onCommitAdvanced();
            maybeStepDownAfterRemoval();
        }
        return confState();
    }

    /**
     * A leader that has applied its own removal keeps replicating, refusing proposals, until its whole
     * log is committed and held by a quorum of the remaining voters; then it steps down. Leaving at once
     * could strand the others: in a two-voter cluster the survivor still needs our vote to commit the
     * removal, and we would refuse it if its log were behind ours. Waiting for a quorum (not everyone)
     * keeps one crashed member from holding the cluster hostage.
     */
    private void maybeStepDownAfterRemoval() {
        if (role != Role.LEADER || promotable()) return;
        long last = raftLog.lastIndex();
        if (raftLog.committed < last) return;
        int upToDate = 0;
        for (Progress p : prs.values()) if (!p.isLearner && p.match >= last) upToDate++;
        if (upToDate < quorum()) return;
        bcastHeartbeat(); // carries the final commit index to everyone
        becomeFollower(term, NONE);
    }

    private Progress newProgressForNewMember() {
        Progress p = new Progress(0, raftLog.lastIndex() + 1, maxInflight, false);
        // Give it a grace period: it counts as active until the next quorum check.
        p.recentActive = true;
        return p;
    }

    Status status() {
        Map<Long, PeerProgress> progress = new TreeMap<>();
        if (role == Role.LEADER) for (Map.Entry<Long, Progress> e : prs.entrySet()) progress.put(e.getKey(), e.getValue().snapshotView(e.getKey()));
        return new Status(id, lead, term, vote, raftLog.committed, raftLog.applied, role, leadTransferee, confState(), progress);
    }
}
