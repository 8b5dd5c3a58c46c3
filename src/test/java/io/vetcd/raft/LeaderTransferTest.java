package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Leadership transfer (Raft thesis §3.10) via MsgTimeoutNow. */
class LeaderTransferTest {

    @Test
    void leadershipMovesToAnUpToDateFollower() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        long term = c.node(1).term();
        c.node(1).transferLeader(3);
        c.stabilize();
        assertTrue(c.node(3).isLeader());
        assertEquals(term + 1, c.node(3).term());
        assertEquals(3, c.node(1).leader());
    }

    @Test
    void aLaggingTransfereeIsCaughtUpFirst() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.isolate(3);
        for (int i = 0; i < 5; i++) c.node(1).propose(TestCluster.bytes("w" + i));
        c.stabilize();
        c.heal();
        c.node(1).transferLeader(3);
        c.stabilize();
        assertTrue(c.node(3).isLeader());
        assertEquals(5, c.appliedData(3).size());
    }

    @Test
    void proposalsAreRefusedWhileATransferIsInProgress() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.isolate(3);
        c.node(1).transferLeader(3);
        c.stabilize();
        assertEquals(3, c.node(1).status().leadTransferee());
        assertThrows(ProposalDroppedException.class, () -> c.node(1).propose(TestCluster.bytes("x")));
    }

    @Test
    void aTransferThatDoesNotCompleteWithinAnElectionTimeoutIsAbandoned() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.isolate(3);
        c.node(1).transferLeader(3);
        c.stabilize();
        c.tick(1, 10);
        assertTrue(c.node(1).isLeader());
        assertEquals(0, c.node(1).status().leadTransferee());
        c.node(1).propose(TestCluster.bytes("after"));
        c.stabilize();
        assertTrue(c.appliedStrings(1).contains("after"));
    }

    @Test
    void aFollowerForwardsTheTransferRequest() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(2).transferLeader(2);
        c.stabilize();
        assertTrue(c.node(2).isLeader());
    }

    @Test
    void transferToALearnerIsIgnored() {
        TestCluster c = new TestCluster(2);
        c.elect(1);
        c.add(3, new MemoryStorage());
        c.node(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER_NODE, 3));
        c.stabilize();
        c.node(1).transferLeader(3);
        c.stabilize();
        assertTrue(c.node(1).isLeader());
        assertEquals(0, c.node(1).status().leadTransferee());
    }
}
