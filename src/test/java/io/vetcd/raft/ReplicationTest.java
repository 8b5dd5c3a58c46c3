package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Log replication rules (Raft §5.3, §5.4.2) and flow control. */
class ReplicationTest {

    private static Entry e(long term, long index) {
        return new Entry(term, index, EntryType.NORMAL, TestCluster.bytes(term + "/" + index));
    }

    /** A lone node whose storage already holds {@code ents}, with the given term; membership {1,2,3}. */
    private static RaftNode nodeWithLog(long term, List<Entry> ents) {
        MemoryStorage st = new MemoryStorage(ConfState.ofVoters(1, 2, 3));
        st.append(ents);
        st.setHardState(new HardState(term, 0, 0));
        return new RaftNode(RaftConfig.defaults(1, new SplittableRandom(1)), st);
    }

    @Test
    void committedEntriesReachEveryFollowerInOrder() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        for (int i = 0; i < 10; i++) c.node(1).propose(TestCluster.bytes("v" + i));
        c.stabilize();
        for (long id = 1; id <= 3; id++) {
            assertEquals(10, c.appliedStrings(id).size());
            assertEquals("v0", c.appliedStrings(id).get(0));
            assertEquals("v9", c.appliedStrings(id).get(9));
        }
    }

    @Test
    void aFollowerForwardsProposalsToTheLeader() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(3).propose(TestCluster.bytes("via-follower"));
        c.stabilize();
        assertEquals(List.of("via-follower"), c.appliedStrings(1));
    }

    @Test
    void aFollowerRejectsAppendsThatDoNotMatchItsLog() {
        // Log matching: the follower accepts entries only after an entry with the same index and term.
        RaftNode f = nodeWithLog(2, List.of(e(1, 1), e(2, 2)));
        f.step(Message.of(MessageType.MsgApp).from(2).to(1).term(3).index(2).logTerm(3).entries(List.of(e(3, 3))).build());
        Message resp = f.ready().messages().get(0);
        assertTrue(resp.reject());
        assertEquals(2, f.lastIndex());
    }

    @Test
    void aConflictingSuffixIsTruncatedAndReplaced() {
        RaftNode f = nodeWithLog(2, List.of(e(1, 1), e(2, 2), e(2, 3), e(2, 4)));
        // The new leader's log: 1:t1, 2:t2, 3:t3. Index 3 conflicts: 3 and 4 of term 2 must go.
        f.step(Message.of(MessageType.MsgApp).from(2).to(1).term(3).index(2).logTerm(2).entries(List.of(e(3, 3))).commit(0).build());
        Ready rd = f.ready();
        assertFalse(rd.messages().get(0).reject());
        assertEquals(3, f.lastIndex());
        assertEquals(3, f.termAt(3));
        assertEquals(List.of(e(3, 3)).get(0).index(), rd.entries().get(0).index());
    }

    @Test
    void aStaleDuplicateAppendDoesNotTruncateNewerEntries() {
        RaftNode f = nodeWithLog(3, List.of(e(1, 1), e(3, 2), e(3, 3)));
        // A delayed copy of an older MsgApp carrying only entry 2: it matches, nothing is lost.
        f.step(Message.of(MessageType.MsgApp).from(2).to(1).term(3).index(1).logTerm(1).entries(List.of(e(3, 2))).build());
        assertEquals(3, f.lastIndex());
    }

    @Test
    void rejectionHintsSkipAWholeTermPerRoundTrip() {
        // Follower log: 1:t1, then indexes 2..6 all of term 2 (never committed). Leader probes at 10 (term 5).
        List<Entry> log = new ArrayList<>(List.of(e(1, 1)));
        for (long i = 2; i <= 6; i++) log.add(e(2, i));
        RaftNode f = nodeWithLog(2, log);
        f.step(Message.of(MessageType.MsgApp).from(2).to(1).term(5).index(10).logTerm(5).build());
        Message resp = f.ready().messages().get(0);
        assertTrue(resp.reject());
        // The hint is the follower's last index with term <= 5, and its term: the leader can jump straight there.
        assertEquals(6, resp.rejectHint());
        assertEquals(2, resp.logTerm());
        // If the leader's term at 6 were 4 (> 2), it probes again at the last index where the follower's term 2 could match.
        f.step(Message.of(MessageType.MsgApp).from(2).to(1).term(5).index(6).logTerm(4).build());
        Message resp2 = f.ready().messages().get(0);
        assertTrue(resp2.reject());
        assertEquals(6, resp2.rejectHint());
        f.step(Message.of(MessageType.MsgApp).from(2).to(1).term(5).index(1).logTerm(1).build());
        assertFalse(f.ready().messages().get(0).reject());
    }

    @Test
    void aLeaderCommitsOnlyEntriesOfItsOwnTermByCounting() {
        // Raft Figure 8, the rule in isolation: leader of term 4 with log 1:t1 2:t2 3:t4 (its own empty entry).
        MemoryStorage st = new MemoryStorage(ConfState.ofVoters(1, 2, 3, 4, 5));
        st.append(List.of(e(1, 1), e(2, 2)));
        st.setHardState(new HardState(3, 0, 1));
        RaftNode leader = new RaftNode(RaftConfig.defaults(1, new SplittableRandom(1)).withPreVote(false), st);
        leader.campaign();
        for (long v = 2; v <= 3; v++) leader.step(Message.of(MessageType.MsgVoteResp).from(v).to(1).term(4).build());
        assertTrue(leader.isLeader());
        assertEquals(4, leader.term());
        persist(leader, st);
        // Index 2 (term 2) now sits on 1, 2, 3: a majority of five. It must NOT be committed by counting.
        for (long v = 2; v <= 3; v++) leader.step(Message.of(MessageType.MsgAppResp).from(v).to(1).term(4).index(2).build());
        assertEquals(1, leader.committedIndex(), "an old-term entry on a majority is not committed");
        // Once the term-4 entry is on a majority, it and everything before it commit.
        for (long v = 2; v <= 3; v++) leader.step(Message.of(MessageType.MsgAppResp).from(v).to(1).term(4).index(3).build());
        assertEquals(3, leader.committedIndex());
    }

    private static void persist(RaftNode n, MemoryStorage st) {
        Ready rd = n.ready();
        st.append(rd.entries());
        if (rd.hardState() != null) st.setHardState(rd.hardState());
        n.advance(rd);
    }

    @Test
    void figure8AnOldTermEntryOnAMajorityCanStillBeOverwritten() {
        // The whole scenario, showing why the rule above is needed.
        // One entry per MsgApp, so the test can let X through while holding back what follows it.
        TestCluster c = new TestCluster(5, id -> RaftConfig.defaults(id, new SplittableRandom(id))
            .withPreVote(false).withCheckQuorum(false).withLimits(1, 256));
        c.elect(1);
        long base = c.node(1).lastIndex();
        // (a) S1 (term t) replicates X to S2 only, then crashes.
        c.drop = m -> m.type() == MessageType.MsgApp && m.from() == 1 && m.to() != 2;
        c.node(1).propose(TestCluster.bytes("X"));
        c.stabilize();
        long xIndex = base + 1;
        assertEquals(xIndex, c.node(2).lastIndex());
        c.crash(1);
        c.heal();
        // (b) S5 is elected by S3, S4, S5 and appends Y at the same index, then crashes before replicating.
        c.drop = m -> m.from() == 5 && m.type() == MessageType.MsgApp;
        c.cut(5, 2);
        c.cut(2, 5);
        c.elect(5);
        assertTrue(c.node(5).isLeader());
        c.node(5).propose(TestCluster.bytes("Y"));
        c.stabilize();
        c.crash(5);
        c.heal();
        // (c) S1 restarts, is elected (by S2, S3, S4), and replicates X to S3: X is on S1, S2, S3.
        c.restart(1);
        //     S4 hears nothing from S1; nobody who already holds X gets S1's newer term-4 entry.
        c.drop = m -> m.type() == MessageType.MsgApp && m.from() == 1 && (m.to() == 4
            || !m.entries().isEmpty() && m.entries().get(m.entries().size() - 1).index() > xIndex
               && c.node(m.to()) != null && c.node(m.to()).lastIndex() >= xIndex);
        electEventually(c, 1);
        assertEquals(xIndex, c.node(3).lastIndex());
        assertTrue(c.node(1).committedIndex() < xIndex, "X is on a majority but from an old term: not committed");
        // (d) S1 crashes; S5 (log term higher than X's) can win with S2, S3, S4 and overwrite X everywhere.
        c.crash(1);
        c.heal();
        c.restart(5);
        electEventually(c, 5);
        c.stabilize();
        for (long id = 2; id <= 5; id++) {
            assertFalse(c.appliedStrings(id).contains("X"), "X was never committed, so replacing it was legal");
            assertTrue(c.appliedStrings(id).contains("Y"));
        }
    }

    /** Campaigns until elected: a first attempt may lose to votes already cast in that term. */
    private static void electEventually(TestCluster c, long id) {
        for (int i = 0; i < 5 && !c.node(id).isLeader(); i++) c.elect(id);
        assertTrue(c.node(id).isLeader());
    }

    @Test
    void replicationIsPipelinedUpToTheInflightLimit() {
        TestCluster c = new TestCluster(2, id -> RaftConfig.defaults(id, new SplittableRandom(id)).withLimits(1, 3));
        c.elect(1);
        c.node(1).propose(TestCluster.bytes("warmup"));
        c.stabilize();
        // Hold every append to node 2: the leader may have at most 3 unacknowledged MsgApps (1 entry each).
        c.drop = m -> m.type() == MessageType.MsgApp;
        int before = c.delivered.size();
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            c.node(1).propose(TestCluster.bytes("p" + i));
            Ready rd = c.node(1).ready();
            for (Message m : rd.messages()) if (m.type() == MessageType.MsgApp && !m.entries().isEmpty()) sent.add(m);
            c.storage(1).append(rd.entries());
            if (rd.hardState() != null) c.storage(1).setHardState(rd.hardState());
            c.node(1).advance(rd);
        }
        assertEquals(3, sent.size(), "inflight window of 3 caps unacknowledged appends");
        assertEquals(before, c.delivered.size());
        assertEquals(ProgressState.REPLICATE, c.node(1).status().progress().get(2L).state());
        assertEquals(3, c.node(1).status().progress().get(2L).inflight());
    }

    @Test
    void aMessageNeverCarriesMoreThanMaxSizePerMsgOfEntriesUnlessOneEntryIsBigger() {
        TestCluster c = new TestCluster(2, id -> RaftConfig.defaults(id, new SplittableRandom(id)).withLimits(100, 256));
        c.elect(1);
        c.crash(2);
        for (int i = 0; i < 20; i++) c.node(1).propose(new byte[30]);
        c.stabilize();
        c.restart(2);
        c.node(1).tick(); // heartbeat -> response -> catch up
        c.stabilize();
        for (Message m : c.delivered) {
            if (m.type() != MessageType.MsgApp || m.entries().size() <= 1) continue;
            long bytes = m.entries().stream().mapToLong(x -> x.data().length + 16).sum();
            assertTrue(bytes <= 100, "MsgApp with " + bytes + " bytes of entries");
        }
        assertEquals(20, c.appliedData(2).size());
    }
}
