package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A leader's Ready carries one MsgApp per follower where the log lets one say what several would. */
class MergedAppendsTest {

    private static List<Message> to(List<Message> ms, long peer, MessageType t) {
        List<Message> out = new ArrayList<>();
        for (Message m : ms) if (m.to() == peer && m.type() == t) out.add(m);
        return out;
    }

    /** Persists a Ready's log part and advances, returning its messages (as the core does, minus the WAL). */
    private static List<Message> handle(TestCluster c, long id) {
        RaftNode n = c.node(id);
        Ready rd = n.ready();
        c.storage(id).append(rd.entries());
        if (rd.hardState() != null) c.storage(id).setHardState(rd.hardState());
        c.applied.get(id).addAll(rd.committedEntries());
        n.advance(rd);
        return rd.messages();
    }

    /** Three nodes, node 1 leading, one entry of its term committed everywhere. */
    private static TestCluster clusterLedBy1() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.node(1).propose(TestCluster.bytes("warmup"));
        c.stabilize();
        return c;
    }

    @Test
    void aBusyLeaderTurnSendsEachFollowerOneAppendWithTheNewCommitAndEveryNewEntry() {
        TestCluster c = clusterLedBy1();
        RaftNode leader = c.node(1);

        // x goes out and both followers acknowledge it; their answers wait
        leader.propose(TestCluster.bytes("x"));
        List<Message> xs = handle(c, 1);
        long xIndex = leader.lastIndex();
        List<Message> acks = new ArrayList<>();
        for (long f = 2; f <= 3; f++) {
            for (Message m : to(xs, f, MessageType.MsgApp)) c.node(f).step(m);
            acks.addAll(to(handle(c, f), 1, MessageType.MsgAppResp));
        }
        assertEquals(2, acks.size());
        // a follower's client proposes y (forwarded to the leader)
        c.node(3).propose(TestCluster.bytes("y"));
        List<Message> forwarded = to(handle(c, 3), 1, MessageType.MsgProp);
        assertEquals(1, forwarded.size());

        // one turn of the leader: the acks (commit moves to x), the forwarded y, its own client's z
        for (Message m : acks) leader.step(m);
        leader.step(forwarded.get(0));
        leader.propose(TestCluster.bytes("z"));
        List<Message> turn = handle(c, 1);
        assertEquals(xIndex, leader.committedIndex());
        for (long f = 2; f <= 3; f++) {
            List<Message> apps = to(turn, f, MessageType.MsgApp);
            assertEquals(1, apps.size(), "one MsgApp to " + f + ", not a commit-only one and one per proposal: " + apps);
            Message app = apps.get(0);
            assertEquals(xIndex, app.index(), "continues right after x");
            assertEquals(xIndex, app.commit(), "carries the commit the acks made");
            assertEquals(List.of("y", "z"), app.entries().stream().map(e -> new String(e.data())).toList());
        }

        // delivered, everyone applies the same log in the same order
        for (long f = 2; f <= 3; f++) {
            c.node(f).step(to(turn, f, MessageType.MsgApp).get(0));
            List<Message> answers = to(handle(c, f), 1, MessageType.MsgAppResp);
            assertEquals(1, answers.size(), "one answer for the merged append");
            leader.step(answers.get(0));
        }
        c.stabilize();
        for (long id = 1; id <= 3; id++) assertEquals(List.of("warmup", "x", "y", "z"), c.appliedStrings(id));
    }

    private static Message app(long to, long term, long index, long logTerm, long commit, Entry... entries) {
        return Message.of(MessageType.MsgApp).from(1).to(to).term(term).index(index).logTerm(logTerm)
            .commit(commit).entries(List.of(entries)).build();
    }

    private static Entry e(long term, long index, int size) {
        return new Entry(term, index, EntryType.NORMAL, new byte[size]);
    }

    @Test
    void onlyAppendsThatContinueOneAnotherInTheSameTermAreMerged() {
        Message a = app(2, 3, 10, 3, 9, e(3, 11, 1), e(3, 12, 1));
        Message commitOnly = app(2, 3, 12, 3, 12);
        Message elsewhere = app(3, 3, 12, 3, 12);
        Message probe = app(2, 3, 7, 2, 12, e(2, 8, 1)); // a rewind after a rejection: not a continuation
        Message heartbeat = Message.of(MessageType.MsgHeartbeat).from(1).to(2).term(3).commit(12).build();

        List<Message> merged = MergedAppends.merge(List.of(a, heartbeat, commitOnly, elsewhere), Long.MAX_VALUE);
        assertEquals(List.of(a.toBuilder().commit(12).build(), heartbeat, elsewhere), merged);

        List<Message> kept = List.of(a, probe, commitOnly);
        assertSame(kept, MergedAppends.merge(kept, Long.MAX_VALUE), "a rewind breaks the run: nothing merged");

        Message snap = Message.of(MessageType.MsgSnap).from(1).to(2).term(3).build();
        List<Message> acrossSnapshot = List.of(a, snap, commitOnly);
        assertSame(acrossSnapshot, MergedAppends.merge(acrossSnapshot, Long.MAX_VALUE));

        Message newerTerm = app(2, 4, 12, 3, 12, e(4, 13, 1));
        List<Message> terms = List.of(a, newerTerm);
        assertSame(terms, MergedAppends.merge(terms, Long.MAX_VALUE));
    }

    @Test
    void aMergeStaysWithinTheMessageSizeLimit() {
        Message a = app(2, 3, 10, 3, 9, e(3, 11, 40));
        Message b = app(2, 3, 11, 3, 9, e(3, 12, 40));
        Message c = app(2, 3, 12, 3, 10, e(3, 13, 40));
        // 56 bytes per entry as the log counts them: two fit in 120, a third does not
        List<Message> merged = MergedAppends.merge(List.of(a, b, c), 120);
        assertEquals(2, merged.size());
        assertEquals(List.of(11L, 12L), merged.get(0).entries().stream().map(Entry::index).toList());
        assertEquals(c, merged.get(1));
        // a commit-only append adds no entries, so it still folds in
        Message commitOnly = app(2, 3, 13, 3, 13);
        List<Message> withCommit = MergedAppends.merge(List.of(a, b, c, commitOnly), 120);
        assertEquals(2, withCommit.size());
        assertEquals(13, withCommit.get(1).commit());
    }

    @Test
    void aFollowerTurnThatTookSeveralAppendsAnswersOnceAndTheLeaderGetsAsFarAsWithEveryAnswer() {
        TestCluster c = clusterLedBy1();
        RaftNode leader = c.node(1);

        // two turns of the leader, each a MsgApp to follower 2, which takes both in one turn
        leader.propose(TestCluster.bytes("a"));
        List<Message> first = to(handle(c, 1), 2, MessageType.MsgApp);
        leader.propose(TestCluster.bytes("b"));
        List<Message> second = to(handle(c, 1), 2, MessageType.MsgApp);
        assertEquals(1, first.size());
        assertEquals(1, second.size());
        c.node(2).step(first.get(0));
        c.node(2).step(second.get(0));
        List<Message> answers = to(handle(c, 2), 1, MessageType.MsgAppResp);
        assertEquals(1, answers.size(), "one answer for both appends: " + answers);
        assertEquals(leader.lastIndex(), answers.get(0).index());
        assertFalse(answers.get(0).reject());

        // the one answer commits both entries on the leader, as the two would have
        leader.step(answers.get(0));
        assertEquals(leader.lastIndex(), leader.committedIndex());
    }

    @Test
    void rejectionsAndTheAcceptancesBeforeThemAreKept() {
        Message ok5 = Message.of(MessageType.MsgAppResp).from(2).to(1).term(3).index(5).build();
        Message ok7 = Message.of(MessageType.MsgAppResp).from(2).to(1).term(3).index(7).build();
        Message no6 = Message.of(MessageType.MsgAppResp).from(2).to(1).term(3).index(6).reject(true).rejectHint(5).build();
        Message hb = Message.of(MessageType.MsgHeartbeatResp).from(2).to(1).term(3).build();
        Message otherPeer = Message.of(MessageType.MsgAppResp).from(2).to(3).term(3).index(4).build();
        Message newerTerm = Message.of(MessageType.MsgAppResp).from(2).to(1).term(4).index(9).build();

        assertEquals(List.of(hb, ok7), MergedAppends.withoutSupersededAnswers(List.of(ok5, hb, ok7)));
        List<Message> withReject = List.of(ok5, no6, ok7);
        assertSame(withReject, MergedAppends.withoutSupersededAnswers(withReject));
        List<Message> otherPeers = List.of(ok5, otherPeer);
        assertSame(otherPeers, MergedAppends.withoutSupersededAnswers(otherPeers));
        List<Message> terms = List.of(ok5, newerTerm);
        assertSame(terms, MergedAppends.withoutSupersededAnswers(terms));
    }
}
