package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.HardState;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Record framing and payload codecs (see {@code package-info.java} for the layout).
 *
 * <p>Encoding writes straight into the writer's direct buffer and computes the CRC over the buffer
 * region in place, so appending a record allocates nothing and copies entry data exactly once.
 * All integers are little-endian: it is the native order of the machines we run on, and the buffers
 * are set to it once.
 */
final class WalRecord {
    private WalRecord() {}

    /** length (u32) + crc32c (u32) + type (u8). */
    static final int HEADER_SIZE = 9;

    /** "VWAL" read as a little-endian int; identifies a vetcd WAL segment. */
    static final int MAGIC = 0x4C415756;
    static final int VERSION = 1;

    static final int SEGMENT_HEADER_FIXED = 4 + 2 + 8 + 8;
    static final int ENTRY_FIXED = 8 + 8 + 1;
    static final int HARD_STATE_SIZE = 24;
    static final int SNAPSHOT_SIZE = 16;

    /** Bytes a record with this payload length occupies on disk. */
    static int encodedSize(int payloadLength) { return HEADER_SIZE + payloadLength; }

    static int entrySize(Entry e) { return encodedSize(ENTRY_FIXED + e.data().length); }

    // ---- encoding: each method expects buf.remaining() >= the record's encoded size ----

    static void putEntry(ByteBuffer buf, CRC32C crc, Entry e) {
        int start = buf.position();
        buf.position(start + HEADER_SIZE);
        buf.putLong(e.term()).putLong(e.index()).put((byte) e.type().code).put(e.data());
        finish(buf, crc, start, WalRecordType.ENTRY);
    }

    static void putHardState(ByteBuffer buf, CRC32C crc, HardState hs) {
        int start = buf.position();
        buf.position(start + HEADER_SIZE);
        buf.putLong(hs.term()).putLong(hs.vote()).putLong(hs.commit());
        finish(buf, crc, start, WalRecordType.HARD_STATE);
    }

    static void putSnapshot(ByteBuffer buf, CRC32C crc, WalSnapshotMarker m) {
        int start = buf.position();
        buf.position(start + HEADER_SIZE);
        buf.putLong(m.index()).putLong(m.term());
        finish(buf, crc, start, WalRecordType.SNAPSHOT);
    }

    static void putSegmentHeader(ByteBuffer buf, CRC32C crc, long seq, long firstIndex, byte[] metadata) {
        int start = buf.position();
        buf.position(start + HEADER_SIZE);
        buf.putInt(MAGIC).putShort((short) VERSION).putLong(seq).putLong(firstIndex).put(metadata);
        finish(buf, crc, start, WalRecordType.SEGMENT_HEADER);
    }

    /** Fills in length, type and CRC once the payload sits at [start+HEADER_SIZE, position). */
    private static void finish(ByteBuffer buf, CRC32C crc, int start, WalRecordType type) {
        int end = buf.position();
        buf.putInt(start, end - start - HEADER_SIZE);
        buf.put(start + 8, (byte) type.code);
        // CRC covers type + payload, which are contiguous; computed on the buffer itself (no copy,
        // intrinsic CRC32C on direct memory), then position/limit are restored.
        int limit = buf.limit();
        crc.reset();
        buf.limit(end).position(start + 8);
        crc.update(buf);
        buf.limit(limit).position(end);
        buf.putInt(start + 4, (int) crc.getValue());
    }

    // ---- decoding from a whole segment (a read-only mapping of the file, see WalReader) ----

    /** CRC32C of type + payload of the record at {@code start} with the given payload length. */
    static int computeCrc(ByteBuffer seg, CRC32C crc, int start, int payloadLength) {
        crc.reset();
        crc.update(seg.slice(start + 8, 1 + payloadLength));
        return (int) crc.getValue();
    }

    /** Smallest valid payload length for a type; used to reject garbage cheaply before a CRC. */
    static int minPayload(WalRecordType t) {
        return switch (t) {
            case SEGMENT_HEADER -> SEGMENT_HEADER_FIXED;
            case ENTRY -> ENTRY_FIXED;
            case HARD_STATE -> HARD_STATE_SIZE;
            case SNAPSHOT -> SNAPSHOT_SIZE;
        };
    }

    static Entry getEntry(ByteBuffer seg, int payload, int length) {
        long term = seg.getLong(payload);
        long index = seg.getLong(payload + 8);
        EntryType type = EntryType.ofCode(seg.get(payload + 16) & 0xff);
        byte[] data = new byte[length - ENTRY_FIXED];
        seg.get(payload + ENTRY_FIXED, data);
        return new Entry(term, index, type, data);
    }

    static HardState getHardState(ByteBuffer seg, int payload) {
        return new HardState(seg.getLong(payload), seg.getLong(payload + 8), seg.getLong(payload + 16));
    }

    static WalSnapshotMarker getSnapshot(ByteBuffer seg, int payload) {
        return new WalSnapshotMarker(seg.getLong(payload), seg.getLong(payload + 8));
    }
}
