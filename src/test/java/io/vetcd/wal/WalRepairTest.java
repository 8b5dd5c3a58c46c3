package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.HardState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.vetcd.wal.WalTestSupport.NO_FSYNC;
import static io.vetcd.wal.WalTestSupport.assertEntries;
import static io.vetcd.wal.WalTestSupport.copyDir;
import static io.vetcd.wal.WalTestSupport.entries;
import static io.vetcd.wal.WalTestSupport.entry;
import static io.vetcd.wal.WalTestSupport.find;
import static io.vetcd.wal.WalTestSupport.flipByte;
import static io.vetcd.wal.WalTestSupport.lastSegment;
import static io.vetcd.wal.WalTestSupport.truncate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WalRepairTest {
    @TempDir
    Path tmp;

    /** Small segments so the log has several; no preallocation so file size == data size. */
    private static final WalOptions PLAIN = NO_FSYNC.withSegmentSize(4096).withPreallocate(false);
    private static final WalOptions PREALLOC = NO_FSYNC.withSegmentSize(4096).withPreallocate(true);
    private static final HardState HS = new HardState(1, 1, 40);

    /** Writes 1..49 in batches, then entry 50 alone as the last record. Returns the file offset where it starts. */
    private long writeLogEndingInOneRecord(Path dir, WalOptions opts) throws IOException {
        try (Wal wal = Wal.open(dir, opts)) {
            for (long i = 1; i < 50; i += 7) wal.saveAndSync(HS, entries(1, i, Math.min(49, i + 6), 100));
        }
        try (Wal wal = Wal.open(dir, opts)) {
            wal.saveAndSync(null, List.of(entry(1, 50, 150)));
        }
        // -1 if a roll after the last sync left the record in the second-to-last segment.
        Path last = lastSegment(dir);
        return find(last, entry(1, 50, 150).data()) < 0 ? -1 : recordStart(last, entry(1, 50, 150));
    }

    private static long recordStart(Path file, Entry e) throws IOException {
        int dataPos = find(file, e.data());
        assertTrue(dataPos > 0);
        return dataPos - WalRecord.ENTRY_FIXED - WalRecord.HEADER_SIZE;
    }

    private static long recordEnd(Path file, Entry e) throws IOException {
        return find(file, e.data()) + e.data().length;
    }

    private void assertRepairedAndAppendable(Path copy, WalOptions opts, boolean expectRepairFlag) {
        try (Wal wal = Wal.open(copy, opts)) {
            assertEntries(entries(1, 1, 49, 100), wal.recovered().entries());
            assertEquals(HS, wal.recovered().hardState());
            assertEquals(expectRepairFlag, wal.repairedTornTail());
            // Appends after the repair land where the torn record was.
            wal.saveAndSync(new HardState(2, 1, 45), List.of(entry(2, 50, 60), entry(2, 51, 60)));
        }
        try (Wal wal = Wal.open(copy, opts)) {
            List<Entry> expected = new ArrayList<>(entries(1, 1, 49, 100));
            expected.add(entry(2, 50, 60));
            expected.add(entry(2, 51, 60));
            assertEntries(expected, wal.recovered().entries());
            assertFalse(wal.repairedTornTail());
        }
    }

    @Test
    void tornTailAtEveryOffsetOfLastRecordIsRepaired() throws IOException {
        Path dir = tmp.resolve("orig");
        long start = writeLogEndingInOneRecord(dir, PLAIN);
        assertTrue(start > 0);
        Path seg = lastSegment(dir);
        long end = Files.size(seg);
        assertEquals(end, recordEnd(seg, entry(1, 50, 150)));
        for (long cut = start; cut < end; cut++) {
            Path copy = copyDir(dir, tmp.resolve("cut-" + cut));
            truncate(lastSegment(copy), cut);
            assertRepairedAndAppendable(copy, PLAIN, cut > start);
        }
    }

    @Test
    void tornTailFollowedByPreallocatedZerosIsRepaired() throws IOException {
        Path dir = tmp.resolve("orig");
        long start = writeLogEndingInOneRecord(dir, PREALLOC);
        assertTrue(start > 0);
        Path seg = lastSegment(dir);
        long end = recordEnd(seg, entry(1, 50, 150));
        long fileSize = Files.size(seg);
        assertTrue(fileSize >= 4096, "preallocated");
        for (long k = start; k < end; k++) {
            // Bytes k..end never reached the disk: they read as zeros, as does the rest of the file. The disk
            // writes whole sectors, so an unwritten part starts at a sector boundary (or is the whole record).
            if (k > start && k % WalReader.SECTOR != 0) continue;
            Path copy = copyDir(dir, tmp.resolve("zero-" + k));
            byte[] b = Files.readAllBytes(lastSegment(copy));
            Arrays.fill(b, (int) k, (int) end, (byte) 0);
            Files.write(lastSegment(copy), b);
            assertRepairedAndAppendable(copy, PREALLOC, k > start);
        }
    }

    @Test
    void tornBatchNeverLeavesCommitBeyondRecoveredEntries() throws IOException {
        Path dir = tmp.resolve("orig");
        long before;
        try (Wal wal = Wal.open(dir, PLAIN.withSegmentSize(1 << 20))) {
            wal.saveAndSync(new HardState(1, 1, 10), entries(1, 1, 10, 50));
            before = Files.size(lastSegment(dir));
            wal.saveAndSync(new HardState(1, 1, 13), entries(1, 11, 13, 50));
        }
        long after = Files.size(lastSegment(dir));
        for (long cut = before; cut <= after; cut++) {
            Path copy = copyDir(dir, tmp.resolve("cut-" + cut));
            truncate(lastSegment(copy), cut);
            try (Wal wal = Wal.open(copy, PLAIN.withSegmentSize(1 << 20))) {
                WalRecovery r = wal.recovered();
                assertTrue(r.hardState().commit() <= r.lastIndex(),
                        "cut " + cut + ": commit " + r.hardState().commit() + " > last index " + r.lastIndex());
                assertTrue(r.lastIndex() >= 10);
            }
        }
    }

    @Test
    void zeroFilledTailAfterCleanLogIsEndOfLog() throws IOException {
        Path dir = tmp.resolve("orig");
        writeLogEndingInOneRecord(dir, PLAIN);
        Path seg = lastSegment(dir);
        Files.write(seg, new byte[10_000], java.nio.file.StandardOpenOption.APPEND);
        try (Wal wal = Wal.open(dir, PLAIN)) {
            assertEntries(entries(1, 1, 50, 100).subList(0, 49), wal.recovered().entries().subList(0, 49));
            assertEquals(50, wal.recovered().lastIndex());
            assertFalse(wal.repairedTornTail());
            wal.saveAndSync(null, List.of(entry(1, 51, 10)));
        }
        try (Wal wal = Wal.open(dir, PLAIN)) {
            assertEquals(51, wal.recovered().lastIndex());
        }
    }

    @Test
    void corruptByteInMiddleRecordIsRefusedWithFileAndOffset() throws IOException {
        Path dir = tmp.resolve("wal");
        WalOptions opts = NO_FSYNC.withPreallocate(false); // one big segment: the damage is in the last one
        try (Wal wal = Wal.open(dir, opts)) {
            for (long i = 1; i <= 30; i += 10) wal.saveAndSync(HS, entries(1, i, i + 9, 100));
        }
        Path seg = lastSegment(dir);
        Entry victim = entry(1, 12, 100);
        long start = recordStart(seg, victim);
        flipByte(seg, find(seg, victim.data()) + 40);
        WalCorruptException e = assertThrows(WalCorruptException.class, () -> Wal.open(dir, opts));
        assertEquals(seg, e.file());
        assertEquals(start, e.offset());
        assertTrue(e.getMessage().contains(seg.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("offset " + start), e.getMessage());
        assertTrue(e.getMessage().contains("crc"), e.getMessage());
        // Refusing must not have modified the file (no "repair" of acknowledged data).
        assertTrue(Files.size(seg) > start + 1000);
    }

    @Test
    void corruptLengthFieldInMiddleIsRefused() throws IOException {
        Path dir = tmp.resolve("wal");
        WalOptions opts = NO_FSYNC.withPreallocate(true);
        try (Wal wal = Wal.open(dir, opts)) {
            for (long i = 1; i <= 30; i += 10) wal.saveAndSync(HS, entries(1, i, i + 9, 100));
        }
        Path seg = lastSegment(dir);
        long start = recordStart(seg, entry(1, 5, 100));
        byte[] b = Files.readAllBytes(seg);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt((int) start, 0x7fff0000);
        Files.write(seg, b);
        WalCorruptException e = assertThrows(WalCorruptException.class, () -> Wal.open(dir, opts));
        assertEquals(start, e.offset());
        assertTrue(e.getMessage().contains("valid record"), e.getMessage());
    }

    @Test
    void damageInNonLastSegmentIsRefused() throws IOException {
        WalOptions TINY = PLAIN.withSegmentSize(1024);
        Path dir = tmp.resolve("orig");
        writeLogEndingInOneRecord(dir, TINY);
        List<WalSegment> segs = WalSegment.list(dir);
        assertTrue(segs.size() >= 3, "segments " + segs.size());

        // A flipped byte in a record of the first segment.
        Path a = copyDir(dir, tmp.resolve("a"));
        Path segA = WalSegment.list(a).get(0).path();
        Entry victim = entry(1, 3, 100);
        long victimStart = recordStart(segA, victim);
        flipByte(segA, find(segA, victim.data()) + 10);
        WalCorruptException e = assertThrows(WalCorruptException.class, () -> Wal.open(a, TINY));
        assertEquals(segA, e.file());
        assertEquals(victimStart, e.offset());

        // A truncated non-last segment: its tail looks torn, but later segments prove it was synced.
        Path c = copyDir(dir, tmp.resolve("c"));
        Path segC = WalSegment.list(c).get(1).path();
        long size = Files.size(segC);
        truncate(segC, size - 3);
        e = assertThrows(WalCorruptException.class, () -> Wal.open(c, TINY));
        assertEquals(segC, e.file());
        assertTrue(e.getMessage().contains("non-last"), e.getMessage());

        // Zeros at the end of a non-last segment are not a valid end either.
        Path d = copyDir(dir, tmp.resolve("d"));
        Path segD = WalSegment.list(d).get(0).path();
        Files.write(segD, new byte[100], java.nio.file.StandardOpenOption.APPEND);
        assertThrows(WalCorruptException.class, () -> Wal.open(d, TINY));
    }

    @Test
    void damagedSegmentHeaderIsRefused() throws IOException {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.create(dir, PLAIN, new byte[] {9, 9, 9})) {
            wal.saveAndSync(HS, entries(1, 1, 5, 10));
        }
        Path seg = lastSegment(dir);
        flipByte(seg, WalRecord.HEADER_SIZE + 2); // inside the magic
        assertThrows(WalCorruptException.class, () -> Wal.open(dir, PLAIN));
    }

    /**
     * Crash simulation: synced batches, then more batches without sync (some of it written to the
     * file because it overflowed the write buffer), then the files are copied as they are, without
     * close. Recovery must return at least everything synced, as a consistent prefix of what was saved.
     */
    @Test
    void crashAfterUnsyncedWritesKeepsEverythingSynced() throws IOException {
        for (WalOptions opts : List.of(PLAIN.withSegmentSize(256 * 1024), PREALLOC.withSegmentSize(256 * 1024))) {
            Path dir = tmp.resolve("crash-" + opts.preallocate());
            List<Entry> saved = new ArrayList<>();
            Wal wal = Wal.open(dir, opts);
            long idx = 1;
            for (int b = 0; b < 200; b++) {
                List<Entry> es = entries(1, idx, idx + b % 5, 300);
                idx += es.size();
                saved.addAll(es);
                wal.saveAndSync(new HardState(1, 1, idx - 1), es);
            }
            long synced = idx - 1;
            long syncedSize = Files.size(lastSegment(dir));
            // Unsynced: small batches stay in the buffer, the big one overflows it into the file.
            for (int b = 0; b < 5; b++) {
                List<Entry> es = entries(1, idx, idx + 999, 1000);
                idx += es.size();
                saved.addAll(es);
                wal.save(new HardState(1, 1, idx - 1), es);
            }
            Path crashed = copyDir(dir, tmp.resolve("copy-" + opts.preallocate()));
            long crashedSize = Files.size(lastSegment(crashed));
            assertTrue(Files.size(lastSegment(dir)) > 0);
            wal.close();

            try (Wal r = Wal.open(crashed, opts)) {
                List<Entry> got = r.recovered().entries();
                assertTrue(got.size() >= synced, "recovered " + got.size() + " < synced " + synced);
                assertEntries(saved.subList(0, got.size()), got);
                assertTrue(r.recovered().hardState().commit() >= synced);
            }
            if (!opts.preallocate()) {
                // Also lose an arbitrary part of the unsynced write (page cache not written back).
                assertTrue(crashedSize > syncedSize, "unsynced data reached the file");
                Random rnd = new Random(42);
                for (int i = 0; i < 20; i++) {
                    long cut = syncedSize + (long) (rnd.nextDouble() * (crashedSize - syncedSize));
                    Path c = copyDir(crashed, tmp.resolve("cut-" + i));
                    truncate(lastSegment(c), cut);
                    try (Wal r = Wal.open(c, opts)) {
                        List<Entry> got = r.recovered().entries();
                        assertTrue(got.size() >= synced, "cut " + cut + ": recovered " + got.size());
                        assertEntries(saved.subList(0, got.size()), got);
                    }
                }
            }
        }
    }
}
