package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.HardState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.vetcd.wal.WalTestSupport.NO_FSYNC;
import static io.vetcd.wal.WalTestSupport.assertEntries;
import static io.vetcd.wal.WalTestSupport.copyDir;
import static io.vetcd.wal.WalTestSupport.entries;
import static io.vetcd.wal.WalTestSupport.entry;
import static io.vetcd.wal.WalTestSupport.find;
import static io.vetcd.wal.WalTestSupport.lastSegment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16: the last record of the log, acknowledged once its fsync returned, is damaged on disk.
 * An interrupted write (sectors that never reached the disk read as zeros, or the file is cut) is
 * repaired by cutting it off; a complete record with a flipped bit is refused, because cutting it
 * off would silently drop an acknowledged entry.
 */
class WalDamagedTailTest {
    @TempDir
    Path tmp;

    private static final WalOptions PREALLOC = NO_FSYNC.withSegmentSize(1 << 20).withPreallocate(true);
    private static final HardState HS = new HardState(1, 1, 40);
    /** Spans several 512-byte sectors, so a torn write can leave some of them unwritten. */
    private static final Entry LAST = entry(1, 50, 3000);

    /** Entries 1..49, then {@link #LAST} alone in the last batch; returns [start, end) of its record. */
    private long[] writeLog(Path dir) throws IOException {
        try (Wal wal = Wal.open(dir, PREALLOC)) {
            wal.saveAndSync(HS, entries(1, 1, 49, 100));
            wal.saveAndSync(null, List.of(LAST));
        }
        Path seg = lastSegment(dir);
        long dataAt = find(seg, LAST.data());
        return new long[] {dataAt - WalRecord.ENTRY_FIXED - WalRecord.HEADER_SIZE, dataAt + LAST.data().length};
    }

    private static void assertRecoversWithoutLast(Path dir) {
        try (Wal wal = Wal.open(dir, PREALLOC)) {
            assertEntries(entries(1, 1, 49, 100), wal.recovered().entries());
            assertTrue(wal.repairedTornTail());
            wal.saveAndSync(null, List.of(entry(2, 50, 10)));
        }
        try (Wal wal = Wal.open(dir, PREALLOC)) {
            assertEquals(50, wal.recovered().lastIndex());
        }
    }

    @Test
    void unwrittenSectorsAtTheEndOfTheLastRecordAreRepaired() throws IOException {
        Path dir = tmp.resolve("orig");
        long[] r = writeLog(dir);
        int boundaries = 0;
        for (long s = (r[0] / WalReader.SECTOR + 1) * WalReader.SECTOR; s < r[1]; s += WalReader.SECTOR) {
            Path copy = copyDir(dir, tmp.resolve("torn-" + s));
            byte[] b = Files.readAllBytes(lastSegment(copy));
            Arrays.fill(b, (int) s, (int) r[1], (byte) 0);
            Files.write(lastSegment(copy), b);
            assertRecoversWithoutLast(copy);
            boundaries++;
        }
        assertTrue(boundaries >= 5, "the record spans several sectors");
    }

    @Test
    void anUnwrittenSectorInsideTheLastRecordIsRepaired() throws IOException {
        // page cache write-back is not in order: a later sector can reach the disk, an earlier one not
        Path dir = tmp.resolve("orig");
        long[] r = writeLog(dir);
        long hole = (r[0] / WalReader.SECTOR + 2) * WalReader.SECTOR;
        byte[] b = Files.readAllBytes(lastSegment(dir));
        Arrays.fill(b, (int) hole, (int) hole + WalReader.SECTOR, (byte) 0);
        Files.write(lastSegment(dir), b);
        assertRecoversWithoutLast(dir);
    }

    @Test
    void aFileCutInsideTheLastRecordIsRepaired() throws IOException {
        Path dir = tmp.resolve("orig");
        long[] r = writeLog(dir);
        Path copy = copyDir(dir, tmp.resolve("cut"));
        WalTestSupport.truncate(lastSegment(copy), (r[0] + r[1]) / 2);
        assertRecoversWithoutLast(copy);
    }

    @Test
    void aBitFlipInTheCompleteLastRecordIsRefused() throws IOException {
        Path dir = tmp.resolve("orig");
        long[] r = writeLog(dir);
        // the crc, the entry's index field, and data in the first, a middle and the last sector
        long[] at = {r[0] + 4, r[0] + WalRecord.HEADER_SIZE + 8, r[0] + 100, (r[0] + r[1]) / 2, r[1] - 1};
        for (long off : at) {
            Path copy = copyDir(dir, tmp.resolve("flip-" + off));
            WalTestSupport.flipByte(lastSegment(copy), (int) off);
            WalCorruptException e = assertThrows(WalCorruptException.class, () -> Wal.open(copy, PREALLOC).close(),
                "flip at " + off);
            assertEquals(r[0], e.offset(), e.getMessage());
            assertTrue(e.getMessage().contains("not torn"), e.getMessage());
            // refusing leaves the file as it was: nothing was cut off
            assertEquals(Files.size(lastSegment(dir)), Files.size(lastSegment(copy)));
        }
    }
}
