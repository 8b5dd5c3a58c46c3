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

    private static long delivered(TestCluster c, MessageType t) {
        return c.delivered.stream().filter(m -> m.type() == t).count();
    }

    @Test
    void withThreeVotersAFollowersReadNeedsNoHeartbeatRound() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).propose(TestCluster.bytes("w"));
        c.stabilize();
        c.delivered.clear();
        c.node(2).readIndex(ctx("from-2"));
        c.stabilize();
        assertEquals(1, c.reads.get(2L).size());
        assertEquals(c.node(1).committedIndex(), c.reads.get(2L).get(0).index());
        assertEquals(0, delivered(c, MessageType.MsgHeartbeat), "the asker and the leader are a quorum");
        assertEquals(2, c.delivered.size(), "one forward, one answer: " + c.delivered);
    }

    @Test
    void withFiveVotersAFollowersReadStillWaitsForHeartbeatAcks() {
        TestCluster c = new TestCluster(5);
        c.elect(1);
        c.stabilize();
        c.delivered.clear();
        c.drop = m -> m.type() == MessageType.MsgHeartbeatResp;
        c.node(2).readIndex(ctx("from-2"));
        c.stabilize();
        assertTrue(c.reads.get(2L).isEmpty(), "the leader and the asker are no quorum of five");
        assertTrue(delivered(c, MessageType.MsgHeartbeat) > 0);
        c.heal();
        c.node(2).readIndex(ctx("again"));
        c.stabilize();
        assertEquals(2, c.reads.get(2L).size(), "both answered once acks come back: " + c.reads.get(2L));
    }

    @Test
    void aFollowersQuickAnswerReleasesNoOtherRead() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.stabilize();
        c.drop = m -> m.type() == MessageType.MsgHeartbeatResp;
        c.node(1).readIndex(ctx("leader's"));
        c.stabilize();
        assertTrue(c.reads.get(1L).isEmpty());
        c.node(3).readIndex(ctx("from-3"));
        c.stabilize();
        assertEquals(1, c.reads.get(3L).size());
        assertTrue(c.reads.get(1L).isEmpty(), "the leader's read needs an ack of its own round, not the asker's word");
    }

    @Test
    void aDeposedLeadersQuickAnswerIsDroppedByTheAsker() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).propose(TestCluster.bytes("w1"));
        c.stabilize();
        long oldCommit = c.node(1).committedIndex();
        // node 2's forward is held back ...
        List<Message> held = new java.util.ArrayList<>();
        c.drop = m -> m.type() == MessageType.MsgReadIndex && held.add(m);
        c.node(2).readIndex(ctx("late"));
        c.stabilize();
        assertEquals(1, held.size());
        // ... while 2 and 3 elect a new leader that commits a write node 1 never hears of
        c.heal();
        c.cut(2, 1);
        c.cut(3, 1);
        c.cut(1, 3);
        long newLeader = 0;
        for (int i = 0; i < 100 && newLeader == 0; i++) {
            c.node(2).tick();
            c.node(3).tick();
            c.stabilize();
            if (c.node(2).isLeader()) newLeader = 2;
            if (c.node(3).isLeader()) newLeader = 3;
        }
        assertNotEquals(0, newLeader);
        c.node(newLeader).propose(TestCluster.bytes("w2"));
        c.stabilize();
        assertTrue(c.node(2).committedIndex() > oldCommit);
        assertTrue(c.node(1).isLeader(), "node 1 has heard nothing: it still thinks it leads");
        // the held forward reaches the deposed leader, which answers at once with its stale commit index
        c.delivered.clear();
        c.node(1).step(held.get(0));
        c.stabilize();
        assertTrue(c.delivered.stream().anyMatch(m -> m.type() == MessageType.MsgReadIndexResp && m.from() == 1 && m.to() == 2),
            "the stale answer went out: " + c.delivered);
        assertTrue(c.reads.get(2L).isEmpty(), "node 2 is in a newer term and must drop it: " + c.reads.get(2L));
    }

    @Test
    void aTermlessReadIndexAnswerIsDropped() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.stabilize();
        c.node(2).step(Message.of(MessageType.MsgReadIndexResp).from(1).to(2).index(1).context(ctx("forged")).build());
        c.stabilize();
        assertTrue(c.reads.get(2L).isEmpty());
    }
}
