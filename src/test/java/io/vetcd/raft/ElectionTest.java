package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Leader election rules (Raft §5.2, §5.4.1, §9.6 pre-vote, check quorum, learners). */
class ElectionTest {

    @Test
    void aCandidateWithAMajorityBecomesTheOnlyLeaderOfItsTerm() {
        TestCluster c = new TestCluster(5);
        c.elect(1);
        assertEquals(Role.LEADER, c.node(1).role());
        for (long id = 2; id <= 5; id++) {
            assertEquals(Role.FOLLOWER, c.node(id).role());
            assertEquals(1, c.node(id).leader());
            assertEquals(c.node(1).term(), c.node(id).term());
        }
    }

    @Test
    void twoCandidatesInOneTermCannotBothWin() {
        // Without pre-vote both campaign for the same term; each node grants at most one vote in it.
        TestCluster c = new TestCluster(4, id -> RaftConfig.defaults(id, new SplittableRandom(id)).withPreVote(false));
        c.node(1).campaign();
        c.node(2).campaign();
        long term = c.node(1).term();
        assertEquals(term, c.node(2).term(), "both candidates campaign in the same term");
        c.stabilize();
        // Exactly one of them won that term (node 1 asked 3 and 4 first), with a quorum of votes cast for it in
        // the term and durable; the other candidate follows it in that term.
        List<Long> leaders = c.nodes.values().stream().filter(RaftNode::isLeader).map(n -> n.status().id()).toList();
        assertEquals(List.of(1L), leaders, "one leader, the first candidate");
        assertEquals(term, c.node(1).term(), "elected in the term both campaigned in");
        assertFalse(c.node(2).isLeader());
        assertEquals(term, c.node(2).term(), "the loser stays in that term, as a follower");
        long votesForWinner = 0;
        for (long id = 1; id <= 4; id++) {
            HardState hs = c.storage(id).hardState();
            if (hs.term() == term && hs.vote() == 1) votesForWinner++;
        }
        assertTrue(votesForWinner >= 3, "a quorum of 4 voted for the winner in the term, got " + votesForWinner);
        assertEquals(2, c.storage(2).hardState().vote(), "node 2 voted for itself in the term, so not for node 1");
    }

    @Test
    void aVoteIsPersistedAndSurvivesARestart() {
        TestCluster c = new TestCluster(3, id -> RaftConfig.defaults(id, new SplittableRandom(id)).withPreVote(false));
        // Node 3 votes for node 1 in term 1, but node 1 never hears back.
        c.cut(3, 1);
        c.node(1).campaign();
        c.cut(2, 1);
        c.cut(1, 2);
        c.stabilize();
        long term = c.storage(3).hardState().term();
        assertEquals(1, c.storage(3).hardState().vote());
        assertEquals(c.node(1).term(), term);
        // Node 3 restarts; node 2 asks for its vote in the same term: it must refuse.
        c.crash(3);
        RaftNode n3 = c.restart(3);
        assertEquals(1, n3.status().vote());
        n3.step(Message.of(MessageType.MsgVote).from(2).to(3).term(term).index(n3.lastIndex()).logTerm(n3.termAt(n3.lastIndex())).build());
        Ready rd = n3.ready();
        Message resp = rd.messages().stream().filter(m -> m.type() == MessageType.MsgVoteResp).findFirst().orElseThrow();
        assertTrue(resp.reject(), "a node must not vote twice in one term, even across a restart");
    }

    @Test
    void aVoteIsNotSentBeforeItIsDurable() {
        TestCluster c = new TestCluster(3);
        RaftNode n2 = c.node(2);
        n2.step(Message.of(MessageType.MsgVote).from(1).to(2).term(5).index(100).logTerm(1).build());
        Ready rd = n2.ready();
        assertNotNull(rd.hardState());
        assertEquals(1, rd.hardState().vote());
        assertTrue(rd.mustSync());
        assertTrue(rd.messagesBeforePersist().isEmpty(), "vote responses wait for the vote to be persisted");
        assertEquals(1, rd.messagesAfterPersist().size());
    }

    @Test
    void aCandidateWithAStaleLogDoesNotGetVotes() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).propose(TestCluster.bytes("x"));
        c.cut(1, 3);
        c.node(1).propose(TestCluster.bytes("y")); // reaches 2 only
        c.stabilize();
        c.heal();
        // 3 lacks "y": neither 1 nor 2 may elect it (§5.4.1).
        c.crash(1);
        c.elect(3);
        assertNotEquals(Role.LEADER, c.node(3).role());
        c.elect(2);
        assertEquals(Role.LEADER, c.node(2).role());
    }

    @Test
    void messagesFromAStaleTermAreIgnored() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).transferLeader(2); // node 2 wins term 2; node 1 is now a deposed leader of term 1
        c.stabilize();
        long term = c.node(2).term();
        assertTrue(c.node(2).isLeader());
        RaftNode n3 = c.node(3);
        long commitBefore = n3.committedIndex();
        // An append from the deposed leader of an older term must not change anything.
        n3.step(Message.of(MessageType.MsgApp).from(1).to(3).term(term - 1).index(n3.lastIndex()).logTerm(n3.termAt(n3.lastIndex()))
            .entries(List.of(new Entry(term - 1, n3.lastIndex() + 1, EntryType.NORMAL, TestCluster.bytes("stale")))).commit(99).build());
        assertEquals(2, n3.leader());
        assertEquals(term, n3.term());
        assertEquals(commitBefore, n3.committedIndex());
        // ...but it is told the newer term, so the stale leader steps down.
        Ready rd = n3.ready();
        assertTrue(rd.messages().stream().anyMatch(m -> m.type() == MessageType.MsgAppResp && m.to() == 1 && m.term() == term));
        n3.advance(rd);
    }

    @Test
    void electionTimeoutIsRandomisedWithinOneToTwoElectionTicks() {
        for (long seed = 1; seed <= 50; seed++) {
            RaftConfig cfg = new RaftConfig(1, 10, 1, 0, 16, false, false, 0, new SplittableRandom(seed));
            RaftNode n = new RaftNode(cfg, new MemoryStorage(ConfState.ofVoters(1, 2, 3)));
            int ticks = 0;
            while (n.role() == Role.FOLLOWER) {
                n.tick();
                ticks++;
            }
            assertTrue(ticks >= 10 && ticks < 20, "timeout " + ticks + " outside [10, 20)");
        }
    }

    @Test
    void learnersNeverCampaignAndTheirVotesDoNotCount() {
        TestCluster c = new TestCluster(2);
        c.elect(1);
        c.add(3, new MemoryStorage());
        c.node(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER_NODE, 3));
        c.stabilize();
        c.tickAll(3);
        assertEquals(ConfState.ofVoters(1, 2).voters(), c.node(3).confState().voters());
        assertTrue(c.node(3).confState().learners().contains(3L));
        // A learner never starts an election, however long it waits.
        c.isolate(3);
        c.tick(3, 100);
        assertEquals(Role.FOLLOWER, c.node(3).role());
        c.node(3).campaign();
        c.stabilize();
        assertEquals(Role.FOLLOWER, c.node(3).role());
        // A learner keeps no leader in power: it doesn't count toward check quorum...
        c.heal();
        c.crash(2);
        c.tick(1, 20);
        assertEquals(Role.FOLLOWER, c.node(1).role());
        // ...and its vote doesn't count: with node 2 down, 1 + learner 3 is not a majority of {1, 2}.
        c.elect(1);
        assertNotEquals(Role.LEADER, c.node(1).role());
    }

    @Test
    void preVoteStopsAPartitionedNodeFromDisruptingTheCluster() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        long term = c.node(1).term();
        c.isolate(3);
        c.tick(3, 100); // node 3 keeps failing pre-elections, never bumping its term
        assertEquals(term, c.node(3).term());
        c.heal();
        c.tickAll(5);
        assertTrue(c.node(1).isLeader());
        assertEquals(term, c.node(1).term(), "the rejoining node did not force a new election");
    }

    @Test
    void withoutPreVoteARejoiningNodeWouldDisrupt() {
        // The contrast that justifies pre-vote: a bumped term deposes the leader.
        TestCluster c = new TestCluster(3, id -> RaftConfig.defaults(id, new SplittableRandom(id)).withPreVote(false).withCheckQuorum(false));
        c.elect(1);
        long term = c.node(1).term();
        c.isolate(3);
        c.tick(3, 100);
        assertTrue(c.node(3).term() > term);
        c.heal();
        c.tickAll(20);
        assertTrue(c.node(1).term() > term);
    }

    @Test
    void checkQuorumMakesAnIsolatedLeaderStepDown() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.isolate(1);
        // The leader checks once per election timeout whether a quorum was heard from since the last
        // check, so it steps down within two timeouts of losing contact.
        c.tick(1, 20);
        assertEquals(Role.FOLLOWER, c.node(1).role());
        assertEquals(0, c.node(1).leader());
        assertThrows(ProposalDroppedException.class, () -> c.node(1).propose(TestCluster.bytes("x")));
    }

    @Test
    void followersInALeaderLeaseIgnoreVoteRequests() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        long term = c.node(1).term();
        RaftNode n2 = c.node(2);
        n2.step(Message.of(MessageType.MsgVote).from(3).to(2).term(term + 1).index(100).logTerm(term).build());
        assertEquals(term, n2.term(), "vote request ignored while the leader's lease holds");
        assertEquals(1, n2.leader());
    }

    @Test
    void aSingleNodeElectsItselfAndCommitsAlone() {
        TestCluster c = new TestCluster(1);
        c.tick(1, 20);
        assertTrue(c.node(1).isLeader());
        c.node(1).propose(TestCluster.bytes("solo"));
        c.stabilize();
        assertEquals(List.of("solo"), c.appliedStrings(1));
    }

    @Test
    void proposingWithoutALeaderFailsFast() {
        TestCluster c = new TestCluster(3);
        ProposalDroppedException e = assertThrows(ProposalDroppedException.class, () -> c.node(2).propose(TestCluster.bytes("x")));
        assertTrue(e.getMessage().contains("no leader"));
    }
}
