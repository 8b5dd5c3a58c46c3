package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.HardState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Appends records to the current segment and rolls segments.
 *
 * <p>Records are encoded into one reusable direct buffer; nothing touches the file until the buffer
 * fills up or {@link #sync()} runs, so a raft Ready batch costs one write and one fsync however many
 * entries it carries (group commit). Not thread-safe: the raft loop owns it.
 */
final class WalWriter {
    /** Set by the member that owns the WAL; counts fsyncs and bytes written. */
    volatile io.vetcd.metrics.WalMetrics metrics = io.vetcd.metrics.WalMetrics.DETACHED;
    private static final int INITIAL_BUFFER = 1 << 20;

    private final Path dir;
    private final WalOptions opts;
    private final SegmentChannels channels;
    private final byte[] metadata;
    private final List<WalReader.SegmentInfo> segments;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer oneZero = ByteBuffer.allocateDirect(1);

    private ByteBuffer buf = ByteBuffer.allocateDirect(INITIAL_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private FileChannel channel;
    private WalReader.SegmentInfo current;
    /** File offset where the buffer's contents will be written. */
    private long filePos;
    private long lastIndex;
    private HardState lastHardState;
    private WalSnapshotMarker lastMarker;
    /** Segments whose entries are all below this are no longer needed (set by releaseTo). */
    private long releasedIndex;
    /** Something was appended since the last force: lets an idle raft loop call sync() for free. */
    private boolean dirty;

    /**
     * @param segments existing segments (the last one is reopened for append at {@code appendAt}),
     *                 or empty to create the first segment
     */
    WalWriter(Path dir, WalOptions opts, SegmentChannels channels, byte[] metadata, List<WalReader.SegmentInfo> segments,
              long appendAt, long lastIndex, HardState hardState, WalSnapshotMarker lastMarker) throws IOException {
        this.dir = dir;
        this.opts = opts;
        this.channels = channels;
        this.metadata = metadata;
        this.segments = segments;
        this.lastIndex = lastIndex;
        this.lastHardState = hardState == null ? HardState.EMPTY : hardState;
        this.lastMarker = lastMarker;
        try {
            if (segments.isEmpty()) {
                createSegment(1, lastIndex + 1);
            } else {
                reopen(segments.get(segments.size() - 1), appendAt);
            }
        } catch (IOException | RuntimeException e) {
            // The Wal is never constructed, so nobody else would close the file.
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * Reopens the last segment for appending. Everything past the valid data (a torn record, stale
     * preallocation) is cut off first: new records must be followed only by zeros, or a later torn
     * write could look like mid-log corruption.
     */
    private void reopen(WalReader.SegmentInfo info, long appendAt) throws IOException {
        channel = channels.open(info.segment.path(), StandardOpenOption.WRITE, StandardOpenOption.READ);
        boolean changed = false;
        if (channel.size() > appendAt) {
            channel.truncate(appendAt);
            changed = true;
        }
        if (opts.preallocate() && channel.size() < opts.segmentSize()) {
            preallocate();
            changed = true;
        }
        if (changed && opts.fsync()) channel.force(true);
        current = info;
        filePos = appendAt;
    }

    /**
     * Extends the file to the segment size without writing data (sparse). Appends then never change
     * the file size, which keeps fdatasync from also having to persist a size update.
     */
    private void preallocate() throws IOException {
        oneZero.clear();
        channel.write(oneZero, opts.segmentSize() - 1);
    }

    long lastIndex() { return lastIndex; }

    List<WalReader.SegmentInfo> segments() { return segments; }

    /** Checks a batch before anything is encoded, so a rejected batch leaves no partial records. */
    void validate(List<Entry> entries) {
        long expectMax = lastIndex + 1;
        long prev = -1;
        for (Entry e : entries) {
            if (e.index() < 1) throw new IllegalArgumentException("entry index must be >= 1: " + e.index());
            if (prev >= 0 && e.index() != prev + 1) {
                throw new IllegalArgumentException("entries not contiguous: " + e.index() + " after " + prev);
            }
            if (prev < 0 && e.index() > expectMax) {
                throw new IllegalArgumentException("gap: entry " + e.index() + " but last index is " + lastIndex);
            }
            prev = e.index();
        }
    }

    void appendHardState(HardState hs) throws IOException {
        // Unchanged state need not be rewritten: recovery keeps the last one it sees anyway.
        if (hs == null || hs.isEmpty() || hs.equals(lastHardState)) return;
        ensure(WalRecord.encodedSize(WalRecord.HARD_STATE_SIZE));
        WalRecord.putHardState(buf, crc, hs);
        lastHardState = hs;
        dirty = true;
    }

    void appendEntries(List<Entry> entries) throws IOException {
        for (int i = 0, n = entries.size(); i < n; i++) {
            Entry e = entries.get(i);
            ensure(WalRecord.entrySize(e));
            WalRecord.putEntry(buf, crc, e);
            lastIndex = e.index();
            current.maxIndex = Math.max(current.maxIndex, e.index());
            dirty = true;
        }
    }

    void appendSnapshot(WalSnapshotMarker m) throws IOException {
        ensure(WalRecord.encodedSize(WalRecord.SNAPSHOT_SIZE));
        WalRecord.putSnapshot(buf, crc, m);
        lastMarker = m;
        dirty = true;
        // A marker beyond the log (a snapshot received from the leader) restarts the log after it.
        if (m.index() > lastIndex) lastIndex = m.index();
    }

    /** Writes buffered records, forces them to disk, and rolls the segment if it is full. */
    void sync() throws IOException {
        if (!dirty) return;
        flush();
        if (opts.fsync()) {
            long started = System.nanoTime();
            channel.force(false);
            metrics.fsyncSeconds.observeSecondsSince(started);
        }
        dirty = false;
        if (filePos >= opts.segmentSize()) {
            roll();
            purge();
        }
    }

    /** Makes room for {@code n} bytes, writing out what is buffered and growing the buffer if needed. */
    private void ensure(int n) throws IOException {
        if (buf.remaining() >= n) return;
        flush();
        if (buf.capacity() < n) {
            int cap = n > (1 << 29) ? n : Integer.highestOneBit(n - 1) << 1;
            buf = ByteBuffer.allocateDirect(cap).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private void flush() throws IOException {
        buf.flip();
        metrics.writeBytes.add(buf.remaining());
        while (buf.hasRemaining()) filePos += channel.write(buf, filePos);
        buf.clear();
    }

    /**
     * Closes the full segment (cutting off unused preallocation, so that only the last segment can
     * ever have a zero tail) and starts the next one, which begins with the current hard state and
     * snapshot marker: any prefix of segments can then be deleted without losing either.
     */
    private void roll() throws IOException {
        if (channel.size() > filePos) channel.truncate(filePos);
        if (opts.fsync()) channel.force(true);
        channel.close();
        createSegment(current.segment.seq() + 1, lastIndex + 1);
    }

    private void createSegment(long seq, long firstIndex) throws IOException {
        WalSegment seg = WalSegment.of(dir, seq, firstIndex);
        Path tmp = dir.resolve(seg.path().getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        channel = channels.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        filePos = 0;
        // The buffer is empty here (roll runs right after a flush; creation before any append).
        ensure(WalRecord.encodedSize(WalRecord.SEGMENT_HEADER_FIXED + metadata.length)
                + WalRecord.encodedSize(WalRecord.SNAPSHOT_SIZE) + WalRecord.encodedSize(WalRecord.HARD_STATE_SIZE));
        WalRecord.putSegmentHeader(buf, crc, seq, firstIndex, metadata);
        if (lastMarker != null) WalRecord.putSnapshot(buf, crc, lastMarker);
        if (!lastHardState.isEmpty()) WalRecord.putHardState(buf, crc, lastHardState);
        flush();
        if (opts.preallocate()) preallocate();
        if (opts.fsync()) channel.force(true);
        // Rename only once the header is durable: a segment name on disk always has a valid header.
        Files.move(tmp, seg.path(), StandardCopyOption.ATOMIC_MOVE);
        if (opts.fsync()) WalSegment.fsyncDir(dir);
        current = new WalReader.SegmentInfo(seg, -1);
        segments.add(current);
    }

    /**
     * Marks leading segments whose entries are all below {@code index} as no longer needed (the
     * segment holding {@code index} and the current segment never are), then purges.
     */
    int releaseTo(long index) throws IOException {
        releasedIndex = Math.max(releasedIndex, index);
        return purge();
    }

    /**
     * etcd's purge of WAL files (--max-wals): deletes the oldest released segments while more than
     * {@code maxFiles} segment files exist, stopping at the first one still needed; 0 keeps all.
     */
    private int purge() throws IOException {
        if (opts.maxFiles() == 0) return 0;
        int n = 0;
        while (segments.size() > opts.maxFiles() && segments.size() > 1 && segments.get(0).maxIndex < releasedIndex) {
            Files.deleteIfExists(segments.get(0).segment.path());
            segments.remove(0);
            n++;
        }
        if (n > 0 && opts.fsync()) WalSegment.fsyncDir(dir);
        return n;
    }

    void close() throws IOException {
        if (channel != null && channel.isOpen()) channel.close();
    }
}
