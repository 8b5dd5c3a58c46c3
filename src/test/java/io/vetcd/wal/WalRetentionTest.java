package io.vetcd.wal;

import io.vetcd.raft.HardState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.vetcd.wal.WalTestSupport.NO_FSYNC;
import static io.vetcd.wal.WalTestSupport.assertEntries;
import static io.vetcd.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --max-wals: released segments are purged only beyond the count, never one still needed; 0 keeps all. */
class WalRetentionTest {
    @TempDir
    Path tmp;

    private static void writeBatches(Wal wal, long from, long to) {
        for (long i = from; i <= to; i += 10) {
            long end = Math.min(to, i + 9);
            wal.saveAndSync(new HardState(1, 1, Math.max(0, end - 5)), entries(1, i, end, 100));
        }
    }

    private static void snapshotAt(Wal wal, long index, long commit) {
        wal.saveSnapshotMarker(index, 1);
        wal.save(new HardState(1, 1, commit), List.of());
        wal.releaseTo(index);
    }

    @Test
    void keepsAtMostMaxFilesOfTheReleasedOnes() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC.withSegmentSize(4096).withMaxFiles(5))) {
            writeBatches(wal, 1, 2000);
            assertTrue(wal.segmentFiles().size() > 20, "many segments before any release");
            snapshotAt(wal, 1995, 2000);
            assertEquals(5, wal.segmentFiles().size(), "purged down to --max-wals");
            writeBatches(wal, 2001, 2400);
            // released segments left over are purged as new segments appear, the needed ones stay
            List<Path> files = wal.segmentFiles();
            assertTrue(files.size() >= 5, "files " + files.size());
        }
        try (Wal wal = Wal.open(dir, NO_FSYNC.withSegmentSize(4096).withMaxFiles(5))) {
            assertEntries(entries(1, 1996, 2400, 100), wal.recovered().entries());
        }
    }

    @Test
    void neverPurgesASegmentStillNeeded() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC.withSegmentSize(4096).withMaxFiles(1))) {
            writeBatches(wal, 1, 2000);
            int before = wal.segmentFiles().size();
            snapshotAt(wal, 100, 2000);
            int after = wal.segmentFiles().size();
            assertTrue(after > 1 && after < before, "only segments wholly before the snapshot go: " + before + " -> " + after);
        }
        try (Wal wal = Wal.open(dir, NO_FSYNC.withSegmentSize(4096).withMaxFiles(1))) {
            assertEntries(entries(1, 101, 2000, 100), wal.recovered().entries());
        }
    }

    @Test
    void zeroKeepsEveryFile() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC.withSegmentSize(4096).withMaxFiles(0))) {
            writeBatches(wal, 1, 2000);
            int before = wal.segmentFiles().size();
            snapshotAt(wal, 1500, 2000);
            assertEquals(before, wal.segmentFiles().size());
        }
        try (Wal wal = Wal.open(dir, NO_FSYNC.withSegmentSize(4096).withMaxFiles(0))) {
            assertEquals(new WalSnapshotMarker(1500, 1), wal.recovered().snapshot());
            assertEntries(entries(1, 1501, 2000, 100), wal.recovered().entries());
        }
    }
}
