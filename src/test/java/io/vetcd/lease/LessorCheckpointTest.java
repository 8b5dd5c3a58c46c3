package io.vetcd.lease;

import io.vetcd.mvcc.MvccOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.etcdserver.LeaseCheckpoint;
import io.vetcd.pb.etcdserver.LeaseCheckpointRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** etcd's lease checkpoints on a real store with a hand-driven clock; proposals apply at once, as raft would. */
class LessorCheckpointTest {
    static final long S = TimeUnit.SECONDS.toNanos(1);
    static final long INTERVAL = 10 * S;

    @TempDir Path dir;
    MvccStore store;
    long now = 1_000 * S;
    long index;
    Lessor lessor;
    final List<LeaseCheckpointRequest> proposed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        store = MvccStore.open(dir.resolve("db"), MvccOptions.defaults());
        lessor = newLessor(false);
        lessor.promote(0);
    }

    @AfterEach
    void close() {
        store.close();
    }

    Lessor newLessor(boolean persist) {
        Lessor l = new Lessor(store, () -> now, 2);
        l.enableCheckpoints(r -> {
            proposed.add(r);
            l.checkpoint(r.getCheckpointsList(), ++index);
            return CompletableFuture.completedFuture(null);
        }, INTERVAL, persist);
        l.recover();
        return l;
    }

    @Test
    void dueCheckpointRecordsTheRemainingTtlRoundedUp() {
        lessor.grant(1, 30, ++index);
        now += INTERVAL + S / 2;
        lessor.checkpointScheduled();
        assertEquals(1, proposed.size());
        // 30 - 10.5 s left: ceil = 20
        assertEquals(20, proposed.get(0).getCheckpoints(0).getRemainingTTL());
        assertEquals(20, lessor.lookup(1).remainingTtlSeconds());
        // a new primary counts down from the checkpoint
        lessor.demote();
        lessor.promote(S);
        assertEquals(21, lessor.lookup(1).remainingSeconds(now));
    }

    @Test
    void leasesWithNoMoreThanAnIntervalToGoAreNotCheckpointed() {
        lessor.grant(1, 10, ++index);
        now += 2 * INTERVAL;
        lessor.checkpointScheduled();
        assertEquals(List.of(), proposed);
    }

    @Test
    void renewClearsTheCheckpointFirstAndCountsFromTheFullTtl() throws Exception {
        lessor.grant(1, 30, ++index);
        now += INTERVAL;
        lessor.checkpointScheduled();
        assertEquals(20, lessor.lookup(1).remainingTtlSeconds());
        assertEquals(30L, lessor.renew(1).get());
        LeaseCheckpoint cleared = proposed.get(proposed.size() - 1).getCheckpoints(0);
        assertEquals(0, cleared.getRemainingTTL());
        assertEquals(30, lessor.lookup(1).remainingTtlSeconds());
        assertEquals(30, lessor.lookup(1).remainingSeconds(now));
    }

    @Test
    void persistedCheckpointsSurviveRecovery() {
        lessor = newLessor(true);
        lessor.promote(0);
        lessor.grant(1, 30, ++index);
        now += INTERVAL;
        lessor.checkpointScheduled();
        Lessor recovered = newLessor(true);
        assertEquals(20, recovered.lookup(1).remainingTtlSeconds());
        Lessor notPersisted = newLessor(false);
        assertEquals(20, notPersisted.lookup(1).remainingTtlSeconds(), "what is on disk is read back whatever the flag");
    }

    @Test
    void withoutPersistRecoveryRestartsFromTheGrantedTtl() {
        lessor.grant(1, 30, ++index);
        now += INTERVAL;
        lessor.checkpointScheduled();
        assertTrue(proposed.size() == 1);
        assertEquals(30, newLessor(false).lookup(1).remainingTtlSeconds());
    }
}
