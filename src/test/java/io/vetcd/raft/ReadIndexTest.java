package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Linearizable reads without writing to the log (Raft thesis §6.4). */
class ReadIndexTest {
    private static byte[] ctx(String s) { return TestCluster.bytes(s); }

    @Test
    void theLeaderAnswersWithItsCommitIndexAfterAQuorumConfirmsItStillLeads() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).propose(TestCluster.bytes("w"));
        c.stabilize();
        long commit = c.node(1).committedIndex();
        c.node(1).readIndex(ctx("r1"));
        c.stabilize();
        List<ReadState> rs = c.reads.get(1L);
        assertEquals(1, rs.size());
        assertEquals(commit, rs.get(0).index());
        assertArrayEquals(ctx("r1"), rs.get(0).requestCtx());
    }

    @Test
    void aLeaderCutOffFromTheQuorumCannotAnswer() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.isolate(1);
        c.node(1).readIndex(ctx("r"));
        c.tick(1, 3);
        assertTrue(c.reads.get(1L).isEmpty(), "no quorum confirmed leadership, so no read index");
    }

    @Test
    void aFollowerForwardsTheRequestToTheLeader() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).propose(TestCluster.bytes("w"));
        c.stabilize();
        c.node(2).readIndex(ctx("from-2"));
        c.stabilize();
        assertEquals(1, c.reads.get(2L).size());
        assertEquals(c.node(1).committedIndex(), c.reads.get(2L).get(0).index());
        assertTrue(c.reads.get(1L).isEmpty());
    }

    @Test
    void aNewLeaderAnswersOnlyAfterCommittingAnEntryOfItsTerm() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        // Hold back the new leader's appends so its empty entry stays uncommitted.
        c.drop = m -> m.type() == MessageType.MsgApp;
        c.node(1).transferLeader(2);
        c.stabilize();
        c.heal();
        assertTrue(c.node(2).isLeader());
        c.drop = m -> m.type() == MessageType.MsgApp && m.from() == 2;
        c.node(2).readIndex(ctx("early"));
        c.stabilize();
        assertTrue(c.reads.get(2L).isEmpty(), "commit index of a fresh leader may be stale");
        c.heal();
        c.node(2).tick();
        c.stabilize();
        assertEquals(1, c.reads.get(2L).size());
        assertEquals(c.node(2).term(), c.node(2).termAt(c.reads.get(2L).get(0).index()));
    }

    @Test
    void aSingleNodeAnswersImmediately() {
        TestCluster c = new TestCluster(1);
        c.elect(1);
        c.node(1).readIndex(ctx("solo"));
        Ready rd = c.node(1).ready();
        assertEquals(1, rd.readStates().size());
        c.node(1).advance(rd);
    }

    @Test
    void withoutALeaderTheRequestIsDroppedNotQueued() {
        TestCluster c = new TestCluster(3);
        c.node(2).readIndex(ctx("lost"));
        c.stabilize();
        assertTrue(c.reads.get(2L).isEmpty());
    }
}
