package io.vetcd.wal;

import io.vetcd.raft.HardState;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.vetcd.wal.WalTestSupport.assertEntries;
import static io.vetcd.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16: a failed fsync or write is fatal to the WAL, as in etcd (its raft loop exits on a failed
 * save): every later call fails, nothing is retried, so no caller is ever told an unpersisted batch
 * is durable. And a real full disk (a small tmpfs, when this runs as root) fails the WAL cleanly;
 * once space returns, reopening recovers every batch whose sync returned.
 */
class WalDiskFailureTest {
    @TempDir
    Path tmp;

    private static final WalOptions OPTS = WalOptions.DEFAULT.withSegmentSize(64 * 1024);
    private static final HardState HS = new HardState(1, 1, 0);

    private void assertFatal(FailingChannel.Plan plan, Wal wal) {
        // a retried fsync would now succeed on Linux although the data is gone: the WAL must not try
        int forcesBefore = plan.forces.get();
        assertThrows(WalException.class, wal::sync, "sync after a failure");
        assertThrows(WalException.class, () -> wal.save(HS, entries(1, 11, 11, 10)), "save after a failure");
        assertThrows(WalException.class, () -> wal.saveAndSync(HS, entries(1, 11, 11, 10)));
        assertEquals(forcesBefore, plan.forces.get(), "no fsync is retried after a failure");
        wal.close(); // does not sync a failed WAL
        assertEquals(0, plan.forcesAfterFailure.get(), "no fsync after the failed one");
    }

    @Test
    void aFailedFsyncIsFatal() {
        Path dir = tmp.resolve("wal");
        FailingChannel.Plan plan = new FailingChannel.Plan();
        Wal wal = Wal.open(dir, OPTS, plan.channels());
        wal.saveAndSync(HS, entries(1, 1, 10, 100));
        plan.failNextForce = true;
        WalException e = assertThrows(WalException.class, () -> wal.saveAndSync(HS, entries(1, 11, 20, 100)));
        assertTrue(e.getMessage().contains("sync failed"), e.getMessage());
        assertFatal(plan, wal);
        try (Wal reopened = Wal.open(dir, OPTS)) {
            // what was synced is there; the failed batch may or may not be (its bytes were written), never half
            long last = reopened.recovered().lastIndex();
            assertTrue(last == 10 || last == 20, "last index " + last);
            assertEntries(entries(1, 1, last, 100), reopened.recovered().entries());
        }
    }

    @Test
    void aFailedWriteIsFatal() {
        Path dir = tmp.resolve("wal");
        FailingChannel.Plan plan = new FailingChannel.Plan();
        Wal wal = Wal.open(dir, OPTS, plan.channels());
        wal.saveAndSync(HS, entries(1, 1, 10, 100));
        plan.failNextWrite = true;
        assertThrows(WalException.class, () -> wal.saveAndSync(HS, entries(1, 11, 20, 100)));
        assertFatal(plan, wal);
        try (Wal reopened = Wal.open(dir, OPTS)) {
            assertEntries(entries(1, 1, 10, 100), reopened.recovered().entries());
        }
    }

    @Test
    void aFullDiskFailsTheWalAndEverySyncedBatchSurvives() throws Exception {
        Path mnt = tmp.resolve("small");
        Files.createDirectories(mnt);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt.toString()),
            "mounting a tmpfs needs root");
        try {
            Path dir = mnt.resolve("wal");
            // a filler takes space that is later given back
            Path filler = mnt.resolve("filler");
            try (OutputStream out = Files.newOutputStream(filler)) {
                out.write(new byte[512 * 1024]);
            }
            long synced = 0;
            WalException failure = null;
            Wal wal = Wal.open(dir, OPTS.withSegmentSize(256 * 1024));
            try {
                for (long i = 1; i < 100_000; i += 10) {
                    wal.saveAndSync(new HardState(1, 1, i - 1), entries(1, i, i + 9, 1000));
                    synced = i + 9;
                }
            } catch (WalException e) {
                failure = e;
            }
            assertTrue(failure != null, "the disk filled up");
            assertTrue(String.valueOf(failure.getCause()).contains("No space left on device"), String.valueOf(failure.getCause()));
            assertTrue(synced > 100, "wrote " + synced + " entries before the disk was full");
            Wal failed = wal;
            assertThrows(WalException.class, () -> failed.saveAndSync(HS, entries(1, 1, 1, 1)));
            try {
                wal.close();
            } catch (WalException ignored) {
                // closing a failed WAL may report the failure again
            }
            Files.delete(filler); // space returns
            try (Wal reopened = Wal.open(dir, OPTS.withSegmentSize(256 * 1024))) {
                long last = reopened.recovered().lastIndex();
                assertTrue(last >= synced, "recovered through " + last + ", synced through " + synced);
                assertEntries(entries(1, 1, last, 1000), reopened.recovered().entries());
                reopened.saveAndSync(null, entries(1, last + 1, last + 10, 1000));
            }
        } finally {
            run("umount", mnt.toString());
        }
    }

    private static boolean run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
