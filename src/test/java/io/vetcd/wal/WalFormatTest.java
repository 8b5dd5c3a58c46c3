package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.HardState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

import static io.vetcd.wal.WalTestSupport.NO_FSYNC;
import static io.vetcd.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pins the on-disk format documented in package-info: changing it must be a conscious decision. */
class WalFormatTest {
    @TempDir
    Path tmp;

    @Test
    void bytesOnDiskMatchTheDocumentedLayout() throws IOException {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.create(dir, NO_FSYNC.withPreallocate(false), new byte[] {1, 2, 3})) {
            wal.saveAndSync(new HardState(2, 1, 1), List.of(new Entry(2, 1, EntryType.CONF_CHANGE, new byte[] {(byte) 0xAA, (byte) 0xBB})));
        }
        Path seg = dir.resolve("0000000000000001-0000000000000001.wal");
        assertTrue(Files.exists(seg));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(seg)).order(ByteOrder.LITTLE_ENDIAN);

        // Segment header: magic "VWAL", version 1, seq 1, first index 1, metadata.
        int pos = expectRecord(b, 0, 1, 25);
        assertEquals('V', b.get(9));
        assertEquals('W', b.get(10));
        assertEquals('A', b.get(11));
        assertEquals('L', b.get(12));
        assertEquals(1, b.getShort(13));
        assertEquals(1, b.getLong(15));
        assertEquals(1, b.getLong(23));
        assertEquals(1, b.get(31));
        assertEquals(3, b.get(33));

        // Entry: term, index, entry type, data (entries precede the hard state of their batch).
        int e = pos;
        pos = expectRecord(b, pos, 2, 19);
        assertEquals(2, b.getLong(e + 9));
        assertEquals(1, b.getLong(e + 17));
        assertEquals(1, b.get(e + 25));
        assertEquals((byte) 0xAA, b.get(e + 26));
        assertEquals((byte) 0xBB, b.get(e + 27));

        // Hard state: term, vote, commit.
        int hs = pos;
        pos = expectRecord(b, pos, 3, 24);
        assertEquals(2, b.getLong(hs + 9));
        assertEquals(1, b.getLong(hs + 17));
        assertEquals(1, b.getLong(hs + 25));
        assertEquals(b.capacity(), pos, "nothing after the last record without preallocation");
    }

    /** Checks length/type/CRC of the record at {@code pos}; returns the offset of the next one. */
    private static int expectRecord(ByteBuffer b, int pos, int type, int length) {
        assertEquals(length, b.getInt(pos), "length at " + pos);
        assertEquals(type, b.get(pos + 8), "type at " + pos);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), pos + 8, 1 + length);
        assertEquals((int) crc.getValue(), b.getInt(pos + 4), "crc at " + pos);
        return pos + 9 + length;
    }

    @Test
    void preallocatedSegmentsHaveTheConfiguredSize() throws IOException {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC.withSegmentSize(1 << 20))) {
            wal.saveAndSync(null, entries(1, 1, 3, 10));
            assertEquals(1 << 20, Files.size(wal.segmentFiles().get(0)));
        }
    }

    @Test
    void leftoverTemporarySegmentIsIgnoredAndRemoved() throws IOException {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            wal.saveAndSync(null, entries(1, 1, 3, 10));
        }
        Path leftover = dir.resolve(WalSegment.name(2, 4) + ".tmp");
        Files.write(leftover, "half a header".getBytes(StandardCharsets.UTF_8));
        try (Wal wal = Wal.open(dir, NO_FSYNC)) {
            assertEquals(3, wal.recovered().lastIndex());
            assertFalse(Files.exists(leftover));
        }
    }

    @Test
    void emptyDirectoryIsNotAWal() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        assertFalse(Wal.exists(dir));
        assertFalse(Wal.exists(tmp.resolve("missing")));
    }

    @Test
    void ioErrorPoisonsTheWal() throws Exception {
        Path dir = tmp.resolve("wal");
        Wal wal = Wal.open(dir, NO_FSYNC);
        wal.saveAndSync(null, entries(1, 1, 3, 10));
        // Simulate the disk going away: the channel under the writer stops working.
        Field writerField = Wal.class.getDeclaredField("writer");
        writerField.setAccessible(true);
        Object writer = writerField.get(wal);
        Field channelField = WalWriter.class.getDeclaredField("channel");
        channelField.setAccessible(true);
        ((FileChannel) channelField.get(writer)).close();

        wal.save(null, entries(1, 4, 4, 10));
        WalException first = assertThrows(WalException.class, wal::sync);
        assertTrue(first.getMessage().contains("sync failed"), first.getMessage());
        WalException later = assertThrows(WalException.class, () -> wal.save(null, entries(1, 5, 5, 10)));
        assertTrue(later.getMessage().contains("failed earlier"), later.getMessage());
        wal.close(); // releases the lock without trying to sync
        try (Wal again = Wal.open(dir, NO_FSYNC)) {
            assertEquals(3, again.recovered().lastIndex());
        }
    }
}
