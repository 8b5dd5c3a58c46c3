package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.HardState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Replays all segments of a log and decides, for a bad record, between "torn tail" (repairable) and
 * "corruption" (refuse to open).
 *
 * <p>The rule: damage is a torn tail only if it is in the last segment and no valid record can be
 * found anywhere after it. A torn write can only ever affect the end of the last batch written, and
 * every later batch would have been written after that batch's fsync returned. So a valid record
 * after a bad one means acknowledged data is damaged, and truncating there would silently drop it.
 * The cost of this conservatism: after a power failure in the middle of an fsync, a batch whose
 * pages reached the disk out of order can make open refuse; that is an operator decision, not ours.
 */
final class WalReader {
    private WalReader() {}

    /** A segment plus the highest entry index written to it (-1 if none), used by releaseTo. */
    static final class SegmentInfo {
        final WalSegment segment;
        long maxIndex;

        SegmentInfo(WalSegment segment, long maxIndex) {
            this.segment = segment;
            this.maxIndex = maxIndex;
        }
    }

    /** Everything replay learned: the recovery for the server and the state the writer resumes from. */
    static final class Result {
        byte[] metadata;
        HardState hardState = HardState.EMPTY;
        WalSnapshotMarker lastMarker;
        /** Last index as the writer sees it: last entry, or a later snapshot marker (log restart). */
        long lastIndex;
        final List<SegmentInfo> segments = new ArrayList<>();
        /** Where valid data in the last segment ends; the writer truncates there and appends. */
        long lastSegmentEnd;
        /** True if a torn tail was cut off (bytes other than zero padding were dropped). */
        boolean repairedTornTail;
        WalRecovery recovery;
        /** The last entry read but not kept (index at or below the caller's skip bound), or null. */
        WalSnapshotMarker skipped;
    }

    /**
     * @param maxSnapshotIndex recovery starts at the newest trusted marker at or below this index
     *                         (the server's backend may be older than the newest marker)
     */
    static Result read(List<WalSegment> segments, long maxSnapshotIndex) throws IOException {
        return read(segments, maxSnapshotIndex, 0);
    }

    /**
     * Like {@link #read(List, long)}, but entries at or below {@code skipThrough} are checked and
     * then dropped, not kept in memory (the backend already holds them): the recovery's entries
     * start after them, and {@link Result#skipped} names the last one dropped.
     */
    static Result read(List<WalSegment> segments, long maxSnapshotIndex, long skipThrough) throws IOException {
        if (segments.isEmpty()) throw new IllegalArgumentException("no segments");
        for (int i = 1; i < segments.size(); i++) {
            if (segments.get(i).seq() != segments.get(i - 1).seq() + 1) {
                throw new WalCorruptException(segments.get(i).path(), -1,
                        "missing segment: sequence " + segments.get(i - 1).seq() + " is followed by " + segments.get(i).seq());
            }
        }
        Result r = new Result();
        List<Entry> entries = new ArrayList<>();
        List<WalSnapshotMarker> markers = new ArrayList<>();
        CRC32C crc = new CRC32C();
        for (int i = 0; i < segments.size(); i++) {
            boolean last = i == segments.size() - 1;
            WalSegment seg = segments.get(i);
            SegmentInfo info = new SegmentInfo(seg, -1);
            r.segments.add(info);
            // Mapped, not read into the heap: a segment is 64 MiB (preallocated), and a restart must not
            // need a heap that size; the mapping is dropped as soon as the segment is parsed.
            ByteBuffer mapped;
            try (FileChannel ch = FileChannel.open(seg.path(), StandardOpenOption.READ)) {
                if (ch.size() > Integer.MAX_VALUE) throw new WalCorruptException(seg.path(), -1, "segment larger than 2 GiB");
                mapped = mapOrRead(ch);
            }
            try {
            ByteBuffer b = mapped.order(ByteOrder.LITTLE_ENDIAN);
            int end = b.capacity();
            int pos = 0;
            boolean sawHeader = false;
            while (pos < end) {
                String bad = null;
                int len = 0;
                WalRecordType type = null;
                if (end - pos < WalRecord.HEADER_SIZE) {
                    if (allZero(b, pos, end) && last) break;
                    bad = "truncated record header";
                } else {
                    len = b.getInt(pos);
                    int typeCode = b.get(pos + 8) & 0xff;
                    if (len == 0 && typeCode == 0 && b.getInt(pos + 4) == 0 && last && allZero(b, pos, end)) {
                        break; // preallocated space: end of log
                    }
                    type = WalRecordType.ofCode(typeCode);
                    if (type == null) {
                        bad = "unknown record type " + typeCode;
                    } else if (len < WalRecord.minPayload(type) || len > end - pos - WalRecord.HEADER_SIZE) {
                        bad = "bad record length " + Integer.toUnsignedString(len) + " for " + type;
                    } else if (WalRecord.computeCrc(b, crc, pos, len) != b.getInt(pos + 4)) {
                        bad = "crc mismatch";
                    }
                }
                if (bad != null) {
                    if (!last) throw new WalCorruptException(seg.path(), pos, bad + " in a non-last segment");
                    int next = findValidRecord(b, crc, pos + 1, end);
                    if (next >= 0) {
                        throw new WalCorruptException(seg.path(), pos,
                                bad + ", followed by a valid record at offset " + next);
                    }
                    if (!looksTorn(b, pos, end, type, len)) {
                        throw new WalCorruptException(seg.path(), pos, bad + " in the last record, which is complete and"
                            + " has no unwritten (zero) sector: damaged after it was written, not torn");
                    }
                    r.repairedTornTail = !allZero(b, pos, end);
                    break;
                }
                int payload = pos + WalRecord.HEADER_SIZE;
                if (!sawHeader) {
                    if (type != WalRecordType.SEGMENT_HEADER) {
                        throw new WalCorruptException(seg.path(), pos, "segment does not start with a header");
                    }
                    checkHeader(b, payload, len, seg, r);
                    sawHeader = true;
                } else {
                    switch (type) {
                        case SEGMENT_HEADER -> throw new WalCorruptException(seg.path(), pos, "unexpected segment header");
                        case ENTRY -> {
                            Entry e;
                            try {
                                e = WalRecord.getEntry(b, payload, len);
                            } catch (IllegalArgumentException ex) {
                                throw new WalCorruptException(seg.path(), pos, "bad entry: " + ex.getMessage());
                            }
                            // Raft overwrite semantics: an entry at or below the last index replaces
                            // that entry and everything after it (a new leader's conflicting suffix).
                            while (!entries.isEmpty() && entries.get(entries.size() - 1).index() >= e.index()) {
                                entries.remove(entries.size() - 1);
                            }
                            if (e.index() <= skipThrough) {
                                r.skipped = new WalSnapshotMarker(e.index(), e.term());
                            } else {
                                entries.add(e);
                            }
                            r.lastIndex = e.index();
                            info.maxIndex = Math.max(info.maxIndex, e.index());
                        }
                        case HARD_STATE -> r.hardState = WalRecord.getHardState(b, payload);
                        case SNAPSHOT -> {
                            WalSnapshotMarker m = WalRecord.getSnapshot(b, payload);
                            markers.add(m);
                            r.lastMarker = m;
                            r.lastIndex = Math.max(r.lastIndex, m.index());
                        }
                    }
                }
                pos = payload + len;
            }
            if (!sawHeader) throw new WalCorruptException(seg.path(), 0, "segment has no valid header");
            if (last) r.lastSegmentEnd = pos;
            } finally {
                if (mapped instanceof MappedByteBuffer m) unmap(m);
            }
        }
        r.recovery = recovery(r.hardState, markers, entries, maxSnapshotIndex, r.skipped);
        return r;
    }

    private static void checkHeader(ByteBuffer b, int payload, int len, WalSegment seg, Result r) {
        int magic = b.getInt(payload);
        int version = b.getShort(payload + 4) & 0xffff;
        long seq = b.getLong(payload + 6);
        long first = b.getLong(payload + 14);
        if (magic != WalRecord.MAGIC) throw new WalCorruptException(seg.path(), 0, "not a vetcd WAL segment (bad magic)");
        if (version != WalRecord.VERSION) throw new WalCorruptException(seg.path(), 0, "unsupported WAL version " + version);
        if (seq != seg.seq() || first != seg.firstIndex()) {
            throw new WalCorruptException(seg.path(), 0, "header says segment " + seq + "/" + first + " but file name differs");
        }
        byte[] meta = new byte[len - WalRecord.SEGMENT_HEADER_FIXED];
        b.get(payload + WalRecord.SEGMENT_HEADER_FIXED, meta);
        if (r.metadata == null) {
            r.metadata = meta;
        } else if (!Arrays.equals(r.metadata, meta)) {
            throw new WalCorruptException(seg.path(), 0, "metadata differs from earlier segments");
        }
    }

    /**
     * Chooses the newest snapshot marker that is covered by the persisted commit index (a marker
     * beyond it was saved without the state that makes it valid) and is at or below
     * {@code maxSnapshotIndex}, and returns the entries after it.
     */
    static WalRecovery recovery(HardState hs, List<WalSnapshotMarker> markers, List<Entry> entries,
                                long maxSnapshotIndex) {
        return recovery(hs, markers, entries, maxSnapshotIndex, null);
    }

    /** {@code skipped}: the last entry dropped while reading (the kept entries must follow it), or null. */
    static WalRecovery recovery(HardState hs, List<WalSnapshotMarker> markers, List<Entry> entries,
                                long maxSnapshotIndex, WalSnapshotMarker skipped) {
        List<WalSnapshotMarker> trusted = new ArrayList<>();
        for (WalSnapshotMarker m : markers) {
            // Each segment header repeats the latest marker; report each marker once.
            if (m.index() <= hs.commit() && (trusted.isEmpty() || !trusted.get(trusted.size() - 1).equals(m))) {
                trusted.add(m);
            }
        }
        WalSnapshotMarker chosen = null;
        for (int i = trusted.size() - 1; i >= 0; i--) {
            if (trusted.get(i).index() <= maxSnapshotIndex) {
                chosen = trusted.get(i);
                break;
            }
        }
        int from = 0;
        if (chosen != null) {
            while (from < entries.size() && entries.get(from).index() <= chosen.index()) from++;
        }
        List<Entry> out = entries.subList(from, entries.size());
        long prev = chosen == null ? -1 : chosen.index();
        String prevKind = "snapshot at ";
        if (skipped != null && skipped.index() > prev) {
            prev = skipped.index();
            prevKind = "entry (not kept) ";
        }
        for (Entry e : out) {
            if (prev >= 0 && e.index() != prev + 1) {
                throw new WalCorruptException(null, -1, "gap in log: entry " + e.index() + " follows " + prevKind + prev);
            }
            prev = e.index();
            prevKind = "entry ";
        }
        return new WalRecovery(hs, chosen, out, trusted);
    }

    /**
     * Offset of the first record at or after {@code from} that is valid (known type, plausible length,
     * matching CRC), or -1. Type and length are checked first so garbage and zeros cost no CRC.
     */
    static int findValidRecord(ByteBuffer b, CRC32C crc, int from, int end) {
        for (int y = from; y <= end - WalRecord.HEADER_SIZE; y++) {
            WalRecordType t = WalRecordType.ofCode(b.get(y + 8) & 0xff);
            if (t == null) continue;
            int len = b.getInt(y);
            if (len < WalRecord.minPayload(t) || len > end - y - WalRecord.HEADER_SIZE) continue;
            if (WalRecord.computeCrc(b, crc, y, len) == b.getInt(y + 4)) return y;
        }
        return -1;
    }

    /** The disk sector size torn writes are assumed to respect (etcd's minSectorSize). */
    static final int SECTOR = 512;

    /**
     * Whether a bad last record can be an interrupted write rather than damage to a record that was
     * written whole (etcd's isTornEntry): it runs past the end of the file, or some part of it that
     * falls in one sector is all zeros (a sector of a preallocated or fresh file that never reached the
     * disk reads as zeros). A complete record whose every sector holds data, yet whose checksum fails,
     * was damaged after it was written (a bit flip); dropping it could lose an acknowledged write.
     */
    static boolean looksTorn(ByteBuffer b, int pos, int end, WalRecordType type, int len) {
        if (end - pos < WalRecord.HEADER_SIZE) return true;
        long recordEnd = type != null ? (long) pos + WalRecord.HEADER_SIZE + Integer.toUnsignedLong(len)
            : pos + WalRecord.HEADER_SIZE;
        if (recordEnd > end) return true;
        for (int chunk = pos; chunk < recordEnd; ) {
            int next = (int) Math.min(recordEnd, (chunk / SECTOR + 1) * (long) SECTOR);
            if (allZero(b, chunk, next)) return true;
            chunk = next;
        }
        return false;
    }

    private static boolean allZero(ByteBuffer b, int from, int end) {
        int i = from;
        for (; i + 8 <= end; i += 8) if (b.getLong(i) != 0) return false;
        for (; i < end; i++) if (b.get(i) != 0) return false;
        return true;
    }

    /**
     * The whole segment, mapped; read into the heap where its file system cannot map files (the
     * server simulation's in-memory disk).
     */
    private static ByteBuffer mapOrRead(FileChannel ch) throws IOException {
        try {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        } catch (UnsupportedOperationException noMapping) {
            ByteBuffer heap = ByteBuffer.allocate((int) ch.size());
            while (heap.hasRemaining() && ch.read(heap, heap.position()) >= 0) { }
            return heap.flip();
        }
    }

    /**
     * Drops a mapping now rather than at some later GC (its pages count in the process's RSS until
     * then). Nothing read from it may be used afterwards: entries copy their bytes out. Left to the
     * GC if the JDK does not offer it.
     */
    static void unmap(MappedByteBuffer b) {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafeClass.getMethod("invokeCleaner", ByteBuffer.class).invoke(f.get(null), b);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the GC unmaps it when the buffer is collected
        }
    }
}
