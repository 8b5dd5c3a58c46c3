package io.vetcd.node;

import io.vetcd.raft.ConfChange;
import io.vetcd.raft.ConfChangeType;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.HardState;
import io.vetcd.raft.MemoryStorage;
import io.vetcd.raft.Snapshot;
import io.vetcd.raft.SnapshotMetadata;
import io.vetcd.wal.Wal;
import io.vetcd.wal.WalOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** --force-new-cluster's rewrite of the recovered log, as specifications. */
class StandaloneRestartTest {
    private static final long SELF = 1, B = 2, C = 3, LEARNER = 4;
    private static final byte[] ME = "{\"id\":1}".getBytes();

    @Test
    void everyOtherVoterAndLearnerIsRemovedAtTheCommitPointInTheCurrentTerm() {
        ConfState cs = new ConfState(new TreeSet<>(List.of(SELF, B, C)), new TreeSet<>(List.of(LEARNER)));
        List<Entry> out = StandaloneRestart.membershipEntries(cs, 10, List.of(), 12, 7, SELF, ME);
        assertEquals(List.of("13 t7 REMOVE_NODE 2", "14 t7 REMOVE_NODE 3", "15 t7 REMOVE_NODE 4"), describe(out));
    }

    @Test
    void confChangesCommittedButNotYetAppliedCountAndThoseAfterTheCommitDoNot() {
        ConfState cs = ConfState.ofVoters(SELF, B);
        List<Entry> log = List.of(
            confChange(11, ConfChangeType.ADD_LEARNER_NODE, C),    // committed, not applied: counts
            confChange(12, ConfChangeType.REMOVE_NODE, B),         // committed: B is gone already
            confChange(13, ConfChangeType.ADD_NODE, LEARNER));     // after the commit: dropped, never counted
        List<Entry> out = StandaloneRestart.membershipEntries(cs, 10, log, 12, 3, SELF, ME);
        assertEquals(List.of("13 t3 REMOVE_NODE 3"), describe(out));
    }

    @Test
    void aMemberThatIsALearnerOrUnknownBecomesAVoterFirst() {
        ConfState learnerSelf = new ConfState(new TreeSet<>(List.of(B)), new TreeSet<>(List.of(SELF)));
        List<Entry> out = StandaloneRestart.membershipEntries(learnerSelf, 5, List.of(), 5, 2, SELF, ME);
        assertEquals(List.of("6 t2 ADD_NODE 1", "7 t2 REMOVE_NODE 2"), describe(out));
        assertEquals(new String(ME), new String(ConfChange.decode(out.get(0).data()).context()));
    }

    @Test
    void aMemberAloneAlreadyChangesNothing() {
        assertEquals(List.of(), StandaloneRestart.membershipEntries(ConfState.ofVoters(SELF), 4, List.of(), 4, 2, SELF, ME));
    }

    @Test
    void theForcedStateIsInTheWalAndOverwritesTheUncommittedTail(@TempDir Path dir) {
        WalOptions opts = WalOptions.defaults();
        try (Wal wal = Wal.create(dir, opts, new byte[16])) {
            List<Entry> entries = new ArrayList<>();
            for (long i = 1; i <= 6; i++) entries.add(new Entry(2, i, EntryType.NORMAL, new byte[] {(byte) i}));
            wal.saveAndSync(new HardState(3, B, 4), entries); // 5 and 6 never committed
        }
        MemoryStorage storage = new MemoryStorage();
        StandaloneRestart.Forced forced;
        try (Wal wal = Wal.open(dir, opts)) {
            wal.restoreInto(storage, ConfState.EMPTY);
            forced = StandaloneRestart.apply(wal, storage, ConfState.ofVoters(SELF, B, C), 4, SELF, ME);
        }
        assertEquals(new StandaloneRestart.Forced(6, 2, List.of(B, C), false), forced);
        assertEquals(new HardState(3, B, 6), storage.hardState());
        assertEquals(List.of("5 t3 REMOVE_NODE 2", "6 t3 REMOVE_NODE 3"), describe(storage.entries(5, 7, Long.MAX_VALUE)));

        MemoryStorage again = new MemoryStorage();
        try (Wal wal = Wal.open(dir, opts)) {
            wal.restoreInto(again, ConfState.EMPTY);
            assertEquals(new HardState(3, B, 6), again.hardState());
            assertEquals(List.of("5 t3 REMOVE_NODE 2", "6 t3 REMOVE_NODE 3"), describe(again.entries(5, 7, Long.MAX_VALUE)));
            // forcing again (the flag left on) finds the member alone and changes nothing
            MemoryStorage base = new MemoryStorage();
            base.applySnapshot(new Snapshot(new SnapshotMetadata(6, 3, ConfState.ofVoters(SELF)), new byte[0]));
            base.setHardState(new HardState(3, B, 6));
            assertNull(StandaloneRestart.apply(wal, base, ConfState.ofVoters(SELF), 6, SELF, ME));
        }
    }

    private static Entry confChange(long index, ConfChangeType type, long node) {
        return new Entry(1, index, EntryType.CONF_CHANGE, new ConfChange(type, node).encode());
    }

    private static List<String> describe(List<Entry> entries) {
        return entries.stream().map(e -> {
            ConfChange cc = ConfChange.decode(e.data());
            return e.index() + " t" + e.term() + " " + cc.type() + " " + cc.nodeId();
        }).toList();
    }
}
