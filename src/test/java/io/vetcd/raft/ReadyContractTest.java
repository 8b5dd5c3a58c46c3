package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-off between raft and the application: what must be durable before what may happen. */
class ReadyContractTest {

    @Test
    void onlyLeaderReplicationTrafficMayGoOutBeforePersisting() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).propose(TestCluster.bytes("x"));
        Ready rd = c.node(1).ready();
        assertFalse(rd.entries().isEmpty());
        assertTrue(rd.messages().stream().anyMatch(m -> m.type() == MessageType.MsgApp));
        assertEquals(rd.messages().size(), rd.messagesBeforePersist().size());
        c.node(1).advance(rd);
        // A follower's acknowledgement is a promise about its disk: it must wait.
        Message app = rd.messages().get(0);
        RaftNode f = c.node(app.to());
        f.step(app);
        Ready frd = f.ready();
        assertTrue(frd.messagesBeforePersist().isEmpty());
        assertTrue(frd.messagesAfterPersist().stream().anyMatch(m -> m.type() == MessageType.MsgAppResp));
        f.advance(frd);
    }

    @Test
    void aLeaderDoesNotCountItsOwnEntryUntilItIsDurable() {
        // Two voters: commit needs the leader's copy plus the follower's.
        TestCluster c = new TestCluster(2);
        c.elect(1);
        RaftNode leader = c.node(1);
        long before = leader.committedIndex();
        leader.propose(TestCluster.bytes("x"));
        Ready rd = leader.ready(); // sent early; NOT yet persisted or advanced
        Message app = rd.messages().stream().filter(m -> m.type() == MessageType.MsgApp).findFirst().orElseThrow();
        RaftNode f = c.node(2);
        f.step(app);
        Ready frd = f.ready();
        c.storage(2).append(frd.entries());
        f.advance(frd);
        for (Message m : frd.messages()) leader.step(m);
        assertEquals(before, leader.committedIndex(), "follower's ack alone is not a majority of two");
        c.storage(1).append(rd.entries());
        leader.advance(rd);
        assertEquals(before + 1, leader.committedIndex(), "once durable locally, the leader's copy counts");
    }

    @Test
    void committedEntriesAreHandedOutOnceAndHardStateOnlyWhenChanged() {
        TestCluster c = new TestCluster(1);
        c.elect(1);
        RaftNode n = c.node(1);
        n.propose(TestCluster.bytes("a"));
        c.stabilize();
        assertFalse(n.hasReady());
        n.tick();
        Ready rd = n.ready();
        assertNull(rd.hardState());
        assertTrue(rd.committedEntries().isEmpty());
        n.advance(rd);
    }

    @Test
    void aRestartedNodeResumesFromItsDurableState() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        for (int i = 0; i < 3; i++) c.node(1).propose(TestCluster.bytes("w" + i));
        c.stabilize();
        long term = c.node(2).term(), commit = c.node(2).committedIndex();
        c.crash(2);
        RaftNode n2 = c.restart(2);
        assertEquals(term, n2.term());
        assertEquals(commit, n2.committedIndex());
        c.stabilize();
        assertEquals(List.of("w0", "w1", "w2"), c.appliedStrings(2), "re-applies the committed log from the snapshot on");
    }

    @Test
    void aRemovedLeaderStepsDownEvenIfOneRemainingMemberIsDown() {
        TestCluster c = new TestCluster(5, id -> RaftConfig.defaults(id, new SplittableRandom(id)));
        c.elect(1);
        c.crash(5);
        c.node(1).proposeConfChange(new ConfChange(ConfChangeType.REMOVE_NODE, 1));
        c.stabilize();
        c.tick(1, 2);
        assertFalse(c.node(1).isLeader(), "a quorum of {2,3,4,5} has the log: hand-off complete");
        c.tickAll(40);
        long leader = c.leader();
        assertTrue(leader >= 2 && leader <= 4);
        c.node(leader).propose(TestCluster.bytes("after"));
        c.stabilize();
        assertTrue(c.appliedStrings(leader).contains("after"));
    }
}
