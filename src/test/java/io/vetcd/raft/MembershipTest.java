package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Single-node membership changes, applied when committed entries are applied (as etcd does). */
class MembershipTest {

    @Test
    void anAddedNodeCatchesUpAndVotes() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).propose(TestCluster.bytes("before"));
        c.add(4, new MemoryStorage());
        c.node(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_NODE, 4));
        c.stabilize();
        c.tick(1, 1);
        assertEquals(List.of(1L, 2L, 3L, 4L), List.copyOf(c.node(4).confState().voters()));
        assertEquals(List.of("before"), c.appliedStrings(4));
        assertEquals(4, c.node(1).status().progress().size());
    }

    @Test
    void aRemovedNodeIsIgnoredByTheLeader() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).proposeConfChange(new ConfChange(ConfChangeType.REMOVE_NODE, 3));
        c.stabilize();
        assertFalse(c.node(1).confState().contains(3));
        // Its responses are dropped, it gets no more appends, and it cannot campaign any more.
        long commit = c.node(1).committedIndex();
        c.node(1).step(Message.of(MessageType.MsgAppResp).from(3).to(1).term(c.node(1).term()).index(999).build());
        assertEquals(commit, c.node(1).committedIndex());
        c.node(1).propose(TestCluster.bytes("after"));
        c.stabilize();
        assertFalse(c.appliedStrings(3).contains("after"));
        c.isolate(3);
        c.tick(3, 50);
        assertEquals(Role.FOLLOWER, c.node(3).role());
    }

    @Test
    void onlyOneMembershipChangeMayBePendingAtATime() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.drop = m -> m.type() == MessageType.MsgApp; // nothing commits yet
        c.node(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER_NODE, 4));
        c.node(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER_NODE, 5));
        c.stabilize();
        c.heal();
        c.tick(1, 1);
        long confChanges = c.applied.get(1L).stream()
            .filter(e -> e.type() == EntryType.CONF_CHANGE && ConfChange.decode(e.data()).nodeId() >= 4).count();
        assertEquals(1, confChanges, "the second change was replaced by an empty entry");
        assertEquals(List.of(4L), List.copyOf(c.node(1).confState().learners()));
    }

    @Test
    void promotingALearnerMakesItAVoter() {
        TestCluster c = new TestCluster(1);
        c.elect(1);
        c.add(2, new MemoryStorage());
        c.node(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER_NODE, 2));
        c.stabilize();
        assertEquals(1, c.node(1).confState().voters().size());
        c.node(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_NODE, 2));
        c.stabilize();
        assertEquals(List.of(1L, 2L), List.copyOf(c.node(1).confState().voters()));
        assertTrue(c.node(1).confState().learners().isEmpty());
    }

    @Test
    void aRemovedLeaderHandsOverBeforeSteppingDown() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).proposeConfChange(new ConfChange(ConfChangeType.REMOVE_NODE, 1));
        c.stabilize();
        assertFalse(c.node(1).isLeader());
        assertThrows(ProposalDroppedException.class, () -> c.node(1).propose(TestCluster.bytes("x")));
        c.tickAll(30);
        long leader = c.leader();
        assertTrue(leader == 2 || leader == 3, "the remaining members elected a leader");
        assertEquals(List.of(2L, 3L), List.copyOf(c.node(leader).confState().voters()));
    }

    @Test
    void confChangeRoundTripsThroughBytes() {
        ConfChange cc = new ConfChange(ConfChangeType.ADD_LEARNER_NODE, 0x1234_5678_9ABCL, TestCluster.bytes("peer-url"));
        ConfChange back = ConfChange.decode(cc.encode());
        assertEquals(cc.type(), back.type());
        assertEquals(cc.nodeId(), back.nodeId());
        assertArrayEquals(cc.context(), back.context());
        byte[] truncated = java.util.Arrays.copyOf(cc.encode(), 3);
        assertThrows(IllegalArgumentException.class, () -> ConfChange.decode(truncated));
    }
}
