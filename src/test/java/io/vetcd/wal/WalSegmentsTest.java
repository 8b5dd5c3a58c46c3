package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.HardState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.vetcd.wal.WalTestSupport.NO_FSYNC;
import static io.vetcd.wal.WalTestSupport.assertEntries;
import static io.vetcd.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WalSegmentsTest {
    @TempDir
    Path tmp;

    private static final WalOptions SMALL = NO_FSYNC.withSegmentSize(4096);

    private static void writeBatches(Wal wal, long from, long to, int batch, long term) {
        for (long i = from; i <= to; i += batch) {
            long end = Math.min(to, i + batch - 1);
            wal.saveAndSync(new HardState(term, 1, Math.max(0, end - 5)), entries(term, i, end, 100));
        }
    }

    @Test
    void rolloverNamesSegmentsBySequenceAndFirstIndex() throws IOException {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, SMALL)) {
            writeBatches(wal, 1, 2000, 10, 1);
        }
        List<WalSegment> segs = WalSegment.list(dir);
        assertTrue(segs.size() > 20, "segments: " + segs.size());
        assertEquals(WalSegment.name(1, 1), segs.get(0).path().getFileName().toString());
        assertEquals("0000000000000001-0000000000000001.wal", segs.get(0).path().getFileName().toString());
        for (int i = 0; i < segs.size(); i++) {
            assertEquals(i + 1, segs.get(i).seq());
            // Each batch is 10 entries, rolls happen after a batch: first index is 1 + a multiple of 10.
            assertEquals(1, segs.get(i).firstIndex() % 10);
            if (i < segs.size() - 1) {
                // Closed segments are cut to their data: about one segment size, at most one batch more.
                long size = Files.size(segs.get(i).path());
                assertTrue(size >= 4096 && size < 4096 + 10 * 200, "size " + size);
            }
        }
        try (Wal wal = Wal.open(dir, SMALL)) {
            assertEntries(entries(1, 1, 2000, 100), wal.recovered().entries());
            assertEquals(new HardState(1, 1, 1995), wal.recovered().hardState());
            writeBatches(wal, 2001, 2500, 7, 1);
        }
        try (Wal wal = Wal.open(dir, SMALL)) {
            assertEntries(entries(1, 1, 2500, 100), wal.recovered().entries());
        }
    }

    @Test
    void overwriteAcrossSegments() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, SMALL)) {
            writeBatches(wal, 1, 300, 10, 1);
            // Term 2 overwrites from 150 on: spans many earlier segments.
            writeBatches(wal, 150, 200, 10, 2);
        }
        List<Entry> expected = new ArrayList<>(entries(1, 1, 149, 100));
        expected.addAll(entries(2, 150, 200, 100));
        try (Wal wal = Wal.open(dir, SMALL)) {
            assertEntries(expected, wal.recovered().entries());
        }
    }

    @Test
    void releaseToDeletesOldSegmentsAndRecoveryStartsAtMarker() throws IOException {
        Path dir = tmp.resolve("wal");
        int before;
        try (Wal wal = Wal.open(dir, SMALL)) {
            writeBatches(wal, 1, 2000, 10, 1);
            before = wal.segmentFiles().size();
            // Backend snapshot at 1500; the hard state covering it goes in the same batch.
            wal.saveSnapshotMarker(1500, 1);
            wal.save(new HardState(1, 1, 2000), List.of());
            int deleted = wal.releaseTo(1500);
            assertTrue(deleted > 10, "deleted " + deleted);
            assertEquals(before - deleted, wal.segmentFiles().size());
            assertEquals(before - deleted, WalSegment.list(dir).size());
        }
        List<WalSegment> segs = WalSegment.list(dir);
        assertTrue(segs.get(0).firstIndex() <= 1500, "first kept segment starts at " + segs.get(0).firstIndex());
        try (Wal wal = Wal.open(dir, SMALL)) {
            WalRecovery r = wal.recovered();
            assertEquals(new WalSnapshotMarker(1500, 1), r.snapshot());
            assertEquals(new HardState(1, 1, 2000), r.hardState());
            assertEntries(entries(1, 1501, 2000, 100), r.entries());
            // Keep writing and compact again; the marker travels in new segments' headers.
            writeBatches(wal, 2001, 3000, 10, 1);
            wal.saveSnapshotMarker(2900, 1);
            wal.save(new HardState(1, 1, 2995), List.of());
            wal.releaseTo(2900);
            writeBatches(wal, 3001, 3100, 10, 1);
        }
        try (Wal wal = Wal.open(dir, SMALL)) {
            WalRecovery r = wal.recovered();
            assertEquals(new WalSnapshotMarker(2900, 1), r.snapshot());
            assertEntries(entries(1, 2901, 3100, 100), r.entries());
        }
    }

    @Test
    void releaseKeepsSegmentsWhenNothingIsOldEnough() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, SMALL)) {
            writeBatches(wal, 1, 100, 10, 1);
            int n = wal.segmentFiles().size();
            assertEquals(0, wal.releaseTo(1));
            assertEquals(n, wal.segmentFiles().size());
        }
    }

    @Test
    void markerAboveCommitIsNotTrusted() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            wal.saveAndSync(new HardState(1, 1, 10), entries(1, 1, 20, 10));
            wal.saveSnapshotMarker(5, 1);
            wal.saveSnapshotMarker(15, 1); // commit is still 10: not covered
            wal.sync();
        }
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertEquals(new WalSnapshotMarker(5, 1), wal.recovered().snapshot());
            assertEntries(entries(1, 6, 20, 10), wal.recovered().entries());
        }
    }

    @Test
    void snapshotFromLeaderRestartsLogAfterMarker() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, SMALL)) {
            writeBatches(wal, 1, 50, 10, 1);
            // Follower far behind receives a snapshot at 1000 and then entries after it.
            wal.saveSnapshotMarker(1000, 3);
            wal.saveAndSync(new HardState(3, 2, 1000), List.of());
            assertEquals(1000, wal.lastIndex());
            writeBatches(wal, 1001, 1100, 10, 3);
        }
        try (Wal wal = Wal.open(dir, SMALL)) {
            WalRecovery r = wal.recovered();
            assertEquals(new WalSnapshotMarker(1000, 3), r.snapshot());
            assertEntries(entries(3, 1001, 1100, 100), r.entries());
            assertEquals(1100, r.lastIndex());
        }
    }

    @Test
    void openWithSnapshotBoundStartsFromOlderMarker() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, SMALL)) {
            writeBatches(wal, 1, 300, 10, 1);
            wal.saveSnapshotMarker(100, 1);
            wal.saveSnapshotMarker(200, 1);
            wal.saveAndSync(new HardState(1, 1, 300), List.of());
            writeBatches(wal, 301, 400, 10, 1); // rolls: new segments repeat marker 200 in their headers
        }
        try (Wal wal = Wal.open(dir, SMALL)) {
            assertEquals(new WalSnapshotMarker(200, 1), wal.recovered().snapshot());
            assertEquals(List.of(new WalSnapshotMarker(100, 1), new WalSnapshotMarker(200, 1)), wal.recovered().snapshots());
            assertEntries(entries(1, 201, 400, 100), wal.recovered().entries());
        }
        try (Wal wal = Wal.open(dir, SMALL, 150)) {
            assertEquals(new WalSnapshotMarker(100, 1), wal.recovered().snapshot());
            assertEntries(entries(1, 101, 400, 100), wal.recovered().entries());
        }
        try (Wal wal = Wal.open(dir, SMALL, 50)) {
            assertNull(wal.recovered().snapshot());
            assertEntries(entries(1, 1, 400, 100), wal.recovered().entries());
        }
    }

    @Test
    void noMarkerMeansWholeLog() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            wal.saveAndSync(HardState.EMPTY, entries(1, 1, 3, 10));
        }
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertNull(wal.recovered().snapshot());
            assertEntries(entries(1, 1, 3, 10), wal.recovered().entries());
        }
    }

    @Test
    void missingMiddleSegmentIsCorruption() throws IOException {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, SMALL)) {
            writeBatches(wal, 1, 500, 10, 1);
        }
        List<WalSegment> segs = WalSegment.list(dir);
        Files.delete(segs.get(3).path());
        WalCorruptException e = assertThrows(WalCorruptException.class, () -> Wal.open(dir, SMALL));
        assertTrue(e.getMessage().contains("missing segment"), e.getMessage());
    }

    @Test
    void releasedPrefixWithoutMarkerIsAGapNotSilentDataLoss() throws IOException {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, SMALL)) {
            writeBatches(wal, 1, 500, 10, 1);
            wal.saveSnapshotMarker(100, 1);
            wal.save(new HardState(1, 1, 495), List.of());
            // Misuse: releasing beyond the snapshot loses entries 101..; recovery must notice.
            wal.releaseTo(400);
        }
        WalCorruptException e = assertThrows(WalCorruptException.class, () -> Wal.open(dir, SMALL));
        assertTrue(e.getMessage().contains("gap"), e.getMessage());
    }
}
