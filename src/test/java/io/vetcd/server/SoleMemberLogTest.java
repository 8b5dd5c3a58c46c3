package io.vetcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vetcd.raft.ConfChange;
import io.vetcd.raft.ConfChangeType;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;
import io.vetcd.raft.MemoryStorage;
import io.vetcd.raft.RaftConfig;
import io.vetcd.raft.RaftNode;
import io.vetcd.testing.TempDirs;
import io.vetcd.wal.Wal;
import io.vetcd.wal.WalOptions;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A member that is its cluster's only voter keeps no applied entry in raft's in-memory log (no
 * follower can ask for one, and kept until a snapshot they were promoted into the old generation:
 * README, "Memory"); once it has a learner it keeps them again for it. Snapshots by bytes still come
 * from the payload appended since the last one, not from what the in-memory log holds.
 */
class SoleMemberLogTest {
    static final int ENTRY_BYTES = 10_000;


    private final AtomicLong clock = new AtomicLong(1);
    private final AtomicLong ids = new AtomicLong();

    /** Turns and applies until nothing is left, ticking 100 ms of virtual time each round. */
    private static void settle(ServerCore core, AtomicLong clock) {
        for (int round = 0; round < 50; round++) {
            clock.addAndGet(100_000_000L);
            core.runTurn();
            while (core.applyNext()) core.runTurn();
            core.runTurn();
        }
    }

    private void propose(ServerCore core, int n) {
        for (int i = 0; i < n; i++) core.submit(new Proposal(ids.incrementAndGet(), new byte[ENTRY_BYTES], Promise.promise(), null));
        settle(core, clock);
    }

    @Test
    void aSoleVoterDropsAppliedEntriesAndKeepsThemForALearner() throws Exception {
        Path dir = TempDirs.create("sole-member-log");
        AtomicInteger flushes = new AtomicInteger();
        String budget = System.getProperty("vetcd.raft.logBytes");
        System.setProperty("vetcd.raft.logBytes", "1m"); // a snapshot every 512 KiB appended
        try {
            Wal wal = Wal.create(dir.resolve("wal"), WalOptions.defaults(), new byte[16]);
            MemoryStorage storage = new MemoryStorage();
            RaftNode node = new RaftNode(new RaftConfig(1, 10, 1, 1 << 20, 256, true, false, 0, new SplittableRandom(1)), storage);
            node.bootstrap(List.of(1L));
            ServerCore core = new ServerCore(wal, node, storage, new NoStateMachine(), 1, 100, 0, clock::get);
            core.snapshotEvery(0, 5000, flushes::incrementAndGet, 0);
            core.startStepped();
            settle(core, clock);
            assertTrue(core.isLeader(), "a sole voter elects itself");

            for (int i = 0; i < 20; i++) propose(core, 10); // 2 MB, 100 KB per turn
            long applied = core.appliedIndex();
            assertTrue(applied >= 200, "applied " + applied);
            assertEquals(applied + 1, storage.firstIndex(), "the log keeps nothing applied");
            assertEquals(0, storage.dataBytes());
            // 2 MB appended with nothing held in memory: still a snapshot (backend flush) per 512 KiB
            assertTrue(flushes.get() >= 3, "snapshots by bytes appended: " + flushes.get());

            Promise<Object> added = Promise.promise();
            core.submit(new ServerCore.ConfProposal(new Proposal(ids.incrementAndGet(), new byte[0], added, null),
                new ConfChange(ConfChangeType.ADD_LEARNER_NODE, 2)));
            settle(core, clock);
            assertEquals(List.of(2L), List.copyOf(core.confState().learners()));
            long before = core.appliedIndex();
            propose(core, 30);
            assertTrue(core.appliedIndex() >= before + 30);
            // the learner never answered: what it has not got stays in memory (up to a snapshot)
            assertTrue(storage.dataBytes() >= 30L * ENTRY_BYTES, "kept for the learner: " + storage.dataBytes());
            assertTrue(storage.firstIndex() <= before + 1, "first index " + storage.firstIndex());
            core.stop();
            wal.close();
        } finally {
            if (budget == null) System.clearProperty("vetcd.raft.logBytes");
            else System.setProperty("vetcd.raft.logBytes", budget);
            TempDirs.delete(dir);
        }
    }
}
