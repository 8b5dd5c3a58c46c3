package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.HardState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.vetcd.wal.WalTestSupport.NO_FSYNC;
import static io.vetcd.wal.WalTestSupport.assertEntries;
import static io.vetcd.wal.WalTestSupport.entries;
import static io.vetcd.wal.WalTestSupport.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WalRoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void hardStateEntriesAndMetadataSurviveReopen() {
        Path dir = tmp.resolve("wal");
        byte[] meta = "member=1,cluster=2".getBytes(StandardCharsets.UTF_8);
        assertFalse(Wal.exists(dir));
        List<Entry> all = new ArrayList<>();
        try (Wal wal = Wal.create(dir, NO_FSYNC, meta)) {
            assertTrue(wal.recovered().entries().isEmpty());
            for (int batch = 0; batch < 10; batch++) {
                List<Entry> es = entries(1, batch * 10L + 1, batch * 10L + 10, 50 + batch);
                all.addAll(es);
                wal.saveAndSync(new HardState(1, 3, batch * 10L + 5), es);
            }
            assertEquals(100, wal.lastIndex());
        }
        assertTrue(Wal.exists(dir));
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertArrayEquals(meta, wal.metadata());
            WalRecovery r = wal.recovered();
            assertEquals(new HardState(1, 3, 95), r.hardState());
            assertNull(r.snapshot());
            assertEntries(all, r.entries());
            assertEquals(100, r.lastIndex());
            assertFalse(wal.repairedTornTail());
            // Appending continues where the log ended.
            wal.saveAndSync(new HardState(2, 3, 100), List.of(entry(2, 101, 10)));
            all.add(entry(2, 101, 10));
        }
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertEquals(new HardState(2, 3, 100), wal.recovered().hardState());
            assertEntries(all, wal.recovered().entries());
        }
    }

    /** A restart keeps in memory only the entries after what the backend holds; the rest is checked, not kept. */
    @Test
    void openSkippingKeepsOnlyTheEntriesAfterTheBound() {
        Path dir = tmp.resolve("wal");
        List<Entry> all = new ArrayList<>();
        try (Wal wal = Wal.create(dir, NO_FSYNC, new byte[0])) {
            for (int batch = 0; batch < 10; batch++) {
                List<Entry> es = entries(1 + batch / 4, batch * 10L + 1, batch * 10L + 10, 50 + batch);
                all.addAll(es);
                wal.saveAndSync(new HardState(1 + batch / 4, 3, batch * 10L + 5), es);
            }
            // a new leader's overwrite of a committed-and-skipped range rewrites the same entries
            List<Entry> again = entries(3, 96, 100, 7);
            wal.saveAndSync(new HardState(3, 3, 95), again);
            all.subList(95, 100).clear();
            all.addAll(again);
        }
        try (Wal wal = Wal.openSkipping(dir, NO_FSYNC, 60)) {
            assertEquals(new WalSnapshotMarker(60, 2), wal.skippedThrough());
            assertEntries(all.subList(60, 100), wal.recovered().entries());
            assertEquals(100, wal.lastIndex());
            wal.saveAndSync(new HardState(3, 3, 100), List.of(entry(3, 101, 10)));
            all.add(entry(3, 101, 10));
        }
        // entry 101 is not known committed (commit 100): nothing is dropped
        try (Wal wal = Wal.openSkipping(dir, NO_FSYNC, 120)) {
            assertNull(wal.skippedThrough());
            assertEntries(all, wal.recovered().entries());
        }
        try (Wal wal = Wal.openSkipping(dir, NO_FSYNC, 0)) {
            assertNull(wal.skippedThrough());
            assertEntries(all, wal.recovered().entries());
        }
    }

    @Test
    void openCreatesDirectoryAndEmptyLog() {
        Path dir = tmp.resolve("a/b/wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertEquals(HardState.EMPTY, wal.recovered().hardState());
            assertTrue(wal.recovered().entries().isEmpty());
            assertEquals(0, wal.metadata().length);
        }
        assertTrue(Files.isDirectory(dir));
        assertTrue(Wal.exists(dir));
    }

    @Test
    void hardStateOnlyAndEmptyHardStateMeansUnchanged() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            wal.saveAndSync(new HardState(5, 2, 0), List.of());
            wal.saveAndSync(HardState.EMPTY, entries(5, 1, 3, 8));
            wal.saveAndSync(null, entries(5, 4, 4, 8));
        }
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertEquals(new HardState(5, 2, 0), wal.recovered().hardState());
            assertEntries(entries(5, 1, 4, 8), wal.recovered().entries());
        }
    }

    @Test
    void createRefusesExistingLog() {
        Path dir = tmp.resolve("wal");
        Wal.create(dir, NO_FSYNC, new byte[] {1}).close();
        assertThrows(WalException.class, () -> Wal.create(dir, NO_FSYNC, new byte[] {2}));
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertArrayEquals(new byte[] {1}, wal.metadata());
        }
    }

    @Test
    void overwriteReplacesConflictingSuffix() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            wal.saveAndSync(new HardState(1, 1, 3), entries(1, 1, 10, 20));
            // A new leader at term 2 overwrote 6..10 with a shorter suffix.
            wal.saveAndSync(new HardState(2, 2, 5), entries(2, 6, 8, 30));
            assertEquals(8, wal.lastIndex());
            // And term 3 overwrote 8 only, then appended.
            wal.saveAndSync(new HardState(3, 3, 7), entries(3, 8, 9, 40));
        }
        List<Entry> expected = new ArrayList<>(entries(1, 1, 5, 20));
        expected.addAll(entries(2, 6, 7, 30));
        expected.addAll(entries(3, 8, 9, 40));
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertEntries(expected, wal.recovered().entries());
            assertEquals(new HardState(3, 3, 7), wal.recovered().hardState());
            assertEquals(9, wal.lastIndex());
        }
    }

    @Test
    void overwriteWithinOneUnsyncedBatch() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            wal.save(null, entries(1, 1, 5, 20));
            wal.save(null, entries(2, 3, 4, 20));
            wal.sync();
        }
        List<Entry> expected = new ArrayList<>(entries(1, 1, 2, 20));
        expected.addAll(entries(2, 3, 4, 20));
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertEntries(expected, wal.recovered().entries());
        }
    }

    @Test
    void entriesLargerThanTheWriteBufferRoundTrip() {
        Path dir = tmp.resolve("wal");
        List<Entry> es = List.of(entry(1, 1, 10), entry(1, 2, 3 << 20), entry(1, 3, 10), entry(1, 4, 5 << 20));
        try (Wal wal = Wal.open(dir, NO_FSYNC.withSegmentSize(1 << 20))) {
            wal.saveAndSync(new HardState(1, 1, 1), es);
        }
        try (Wal wal = Wal.open(dir, NO_FSYNC.withSegmentSize(1 << 20))) {
            assertEntries(es, wal.recovered().entries());
        }
    }

    @Test
    void rejectsGapsWithoutDamagingTheLog() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            wal.saveAndSync(null, entries(1, 1, 3, 8));
            assertThrows(IllegalArgumentException.class, () -> wal.save(null, entries(1, 5, 6, 8)));
            assertThrows(IllegalArgumentException.class,
                    () -> wal.save(null, List.of(entry(1, 4, 8), entry(1, 6, 8))));
            wal.saveAndSync(null, entries(1, 4, 4, 8));
        }
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertEntries(entries(1, 1, 4, 8), wal.recovered().entries());
        }
    }

    @Test
    void closeSyncsBufferedRecordsAndUseAfterCloseThrows() {
        Path dir = tmp.resolve("wal");
        Wal wal = Wal.open(dir, NO_FSYNC);
        wal.save(new HardState(1, 0, 0), entries(1, 1, 2, 8));
        wal.close();
        wal.close(); // idempotent
        assertThrows(WalException.class, () -> wal.save(null, entries(1, 3, 3, 8)));
        assertThrows(WalException.class, wal::sync);
        assertThrows(WalException.class, () -> wal.saveSnapshotMarker(1, 1));
        try (Wal again = Wal.open(dir, NO_FSYNC)) {
            assertEntries(entries(1, 1, 2, 8), again.recovered().entries());
        }
    }

    @Test
    void secondOpenOfSameDirectoryIsRefused() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertThrows(WalException.class, () -> Wal.open(dir, NO_FSYNC));
        }
        Wal.open(dir, NO_FSYNC).close(); // lock released on close
    }

    @Test
    void withFsyncEnabled() {
        Path dir = tmp.resolve("wal");
        WalOptions opts = WalOptions.DEFAULT.withSegmentSize(64 * 1024);
        try (Wal wal = Wal.open(dir, opts)) {
            for (int i = 0; i < 20; i++) wal.saveAndSync(new HardState(1, 1, i), entries(1, i * 50L + 1, i * 50L + 50, 100));
        }
        try (Wal wal = Wal.open(dir, opts)) {
            assertEntries(entries(1, 1, 1000, 100), wal.recovered().entries());
            assertTrue(wal.segmentFiles().size() > 1);
        }
    }
}
