package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Log compaction and snapshot installation (Raft §7). */
class SnapshotTest {

    @Test
    void aFollowerBehindTheCompactedLogIsSentTheSnapshotAndCatchesUp() {
        TestCluster c = new TestCluster(3);
        c.elect(1);
        c.crash(3);
        for (int i = 0; i < 20; i++) c.node(1).propose(TestCluster.bytes("w" + i));
        c.stabilize();
        long applied = c.node(1).appliedIndex();
        MemoryStorage st = c.storage(1);
        st.createSnapshot(applied, c.node(1).confState(), TestCluster.bytes("state@" + applied));
        st.compact(applied);
        c.restart(3);
        c.tick(1, 1); // heartbeat: node 3 answers, leader probes, finds the entries compacted
        c.tick(1, 1);
        assertEquals(applied, c.storage(3).snapshot().index(), "snapshot installed");
        assertArrayEquals(TestCluster.bytes("state@" + applied), c.storage(3).snapshot().data());
        assertEquals(applied, c.node(3).committedIndex());
        c.node(1).propose(TestCluster.bytes("after"));
        c.stabilize();
        assertEquals(c.node(1).committedIndex(), c.node(3).committedIndex());
        assertTrue(c.appliedStrings(3).contains("after"));
        assertEquals(ProgressState.REPLICATE, c.node(1).status().progress().get(3L).state());
    }

    @Test
    void aStaleSnapshotIsIgnored() {
        TestCluster c = new TestCluster(2);
        c.elect(1);
        c.node(1).propose(TestCluster.bytes("w"));
        c.stabilize();
        RaftNode n2 = c.node(2);
        long commit = n2.committedIndex();
        Snapshot old = new Snapshot(new SnapshotMetadata(1, 1, ConfState.ofVoters(1, 2)), null);
        n2.step(Message.of(MessageType.MsgSnap).from(1).to(2).term(n2.term()).snapshot(old).build());
        Ready rd = n2.ready();
        assertNull(rd.snapshot());
        assertEquals(commit, n2.committedIndex());
        n2.advance(rd);
    }

    @Test
    void memoryStorageReportsCompactedAndUnavailableRanges() {
        MemoryStorage st = new MemoryStorage();
        for (long i = 1; i <= 10; i++) st.append(java.util.List.of(new Entry(1, i, EntryType.NORMAL, new byte[] {(byte) i})));
        st.createSnapshot(5, ConfState.ofVoters(1), new byte[0]);
        st.compact(5);
        assertEquals(6, st.firstIndex());
        assertEquals(10, st.lastIndex());
        assertEquals(1, st.term(5)); // the snapshot's own entry keeps its term
        assertThrows(CompactedException.class, () -> st.entries(5, 7, Long.MAX_VALUE));
        assertThrows(CompactedException.class, () -> st.term(4));
        assertThrows(UnavailableException.class, () -> st.entries(6, 12, Long.MAX_VALUE));
        assertEquals(1, st.entries(6, 10, 1).size(), "size limit still returns one entry");
        assertEquals(4, st.entries(6, 10, Long.MAX_VALUE).size());
        // An overlapping append replaces the conflicting suffix.
        st.append(java.util.List.of(new Entry(2, 8, EntryType.NORMAL, null)));
        assertEquals(8, st.lastIndex());
        assertEquals(2, st.term(8));
    }
}
