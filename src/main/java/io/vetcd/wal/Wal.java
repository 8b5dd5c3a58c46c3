package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.HardState;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The write-ahead log of one raft member: hard state, entries and snapshot markers in segmented,
 * checksummed, append-only files.
 *
 * <p>Usage from the raft loop: {@link #open} (or {@link #create} with metadata for a new member),
 * read {@link #recovered()}, then per Ready: {@link #save} + optionally {@link #saveSnapshotMarker},
 * then one {@link #sync()} before sending messages or acknowledging. Single-threaded by contract.
 *
 * <p>Failure policy: any I/O error marks the WAL failed; every later call throws. We never retry,
 * because after a failed write or fsync the state of the file (and page cache) is unknown.
 */
public final class Wal implements AutoCloseable {
    private static final String LOCK_FILE = "LOCK";

    private final Path dir;
    private final byte[] metadata;
    private final WalRecovery recovery;
    private final WalWriter writer;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final boolean repairedTornTail;
    private boolean closed;
    private Throwable failure;

    private Wal(Path dir, byte[] metadata, WalRecovery recovery, WalWriter writer, FileChannel lockChannel,
                FileLock lock, boolean repairedTornTail) {
        this.dir = dir;
        this.metadata = metadata;
        this.recovery = recovery;
        this.writer = writer;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.repairedTornTail = repairedTornTail;
    }

    /** True if {@code dir} holds at least one WAL segment. */
    public static boolean exists(Path dir) {
        try {
            return !WalSegment.list(dir).isEmpty();
        } catch (IOException e) {
            throw new WalException("cannot list WAL directory " + dir, e);
        }
    }

    /** Creates a new, empty WAL whose segments carry {@code metadata}; fails if one already exists. */
    public static Wal create(Path dir, WalOptions opts, byte[] metadata) {
        return openOrCreate(dir, opts, SegmentChannels.REAL, metadata == null ? new byte[0] : metadata.clone(), true,
            Long.MAX_VALUE, 0);
    }

    /**
     * Opens the WAL in {@code dir}, creating the directory and an empty WAL (no metadata) if there is
     * none. Repairs a torn tail; throws {@link WalCorruptException} for any other damage.
     */
    public static Wal open(Path dir, WalOptions opts) {
        return openOrCreate(dir, opts, SegmentChannels.REAL, new byte[0], false, Long.MAX_VALUE, 0);
    }

    /** Like {@link #open(Path, WalOptions)} with segment files opened by {@code channels} (tests inject failures). */
    static Wal open(Path dir, WalOptions opts, SegmentChannels channels) {
        return openOrCreate(dir, opts, channels, new byte[0], false, Long.MAX_VALUE, 0);
    }

    /**
     * Like {@link #open(Path, WalOptions)}, but recovery starts from the newest trusted snapshot
     * marker at or below {@code maxSnapshotIndex}: for a server whose backend is older than the newest
     * marker (e.g. its newest snapshot turned out unusable). Throws {@link WalCorruptException} if the
     * entries from there on are no longer in the log.
     */
    public static Wal open(Path dir, WalOptions opts, long maxSnapshotIndex) {
        return openOrCreate(dir, opts, SegmentChannels.REAL, new byte[0], false, maxSnapshotIndex, 0);
    }

    /**
     * Like {@link #open(Path, WalOptions)}, but the entries at or below {@code skipThrough} (what the
     * caller's backend already holds, less what lagging followers may still need) are checked and
     * not kept: {@link #recovered()} then starts after {@link #skippedThrough()}. A restart so needs
     * memory for the entries it replays, not for the whole log since the last snapshot. Entries
     * beyond the persisted commit index are always kept (they may still be replaced).
     */
    public static Wal openSkipping(Path dir, WalOptions opts, long skipThrough) {
        return openOrCreate(dir, opts, SegmentChannels.REAL, new byte[0], false, Long.MAX_VALUE, Math.max(0, skipThrough));
    }

    private static Wal openOrCreate(Path dir, WalOptions opts, SegmentChannels channels, byte[] newMetadata,
                                    boolean mustCreate, long maxSnapshotIndex, long skipThrough) {
        if (opts == null) opts = WalOptions.DEFAULT;
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) throw new WalException("WAL directory " + dir + " is in use by another process or instance");
            WalSegment.deleteTemporaries(dir);
            List<WalSegment> segments = WalSegment.list(dir);
            Wal wal;
            if (segments.isEmpty()) {
                WalWriter w = new WalWriter(dir, opts, channels, newMetadata, new ArrayList<>(), 0, 0, HardState.EMPTY, null);
                // The directory itself may be new: make its entry in the parent durable too.
                Path parent = dir.toAbsolutePath().getParent();
                if (opts.fsync() && parent != null) WalSegment.fsyncDir(parent);
                wal = new Wal(dir, newMetadata, new WalRecovery(HardState.EMPTY, null, List.of(), List.of()), w, lockChannel, lock, false);
            } else {
                if (mustCreate) throw new WalException("WAL already exists in " + dir);
                WalReader.Result r = WalReader.read(segments, maxSnapshotIndex, skipThrough);
                if (r.skipped != null && r.skipped.index() > r.hardState.commit()) {
                    // never drop what is not known committed: read again, keeping everything
                    r = WalReader.read(segments, maxSnapshotIndex, 0);
                }
                WalWriter w = new WalWriter(dir, opts, channels, r.metadata, r.segments, r.lastSegmentEnd, r.lastIndex,
                        r.hardState, r.lastMarker);
                wal = new Wal(dir, r.metadata, r.recovery, w, lockChannel, lock, r.repairedTornTail);
                wal.skippedThrough = r.skipped;
            }
            return wal;
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new WalException("cannot open WAL in " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // Already failing; the original error is what matters.
        }
    }

    /** What was on disk when this WAL was opened. */
    public WalRecovery recovered() { return recovery; }

    private WalSnapshotMarker skippedThrough;

    /**
     * The last entry {@link #openSkipping} read but did not keep (index and term), or null: the
     * recovered entries follow it when it is newer than the recovered snapshot marker.
     */
    public WalSnapshotMarker skippedThrough() { return skippedThrough; }

    /**
     * Loads what this WAL recovered into raft's storage on a restart: the log's base (the later of the
     * snapshot marker and the applied entries skipped on open, as an empty snapshot with the members'
     * {@code confState}), the hard state and the entries. Returns the base index, 0 if the log starts at the
     * beginning: raft re-delivers everything after it, and the core skips what the backend already has.
     */
    public long restoreInto(io.vetcd.raft.MemoryStorage storage, io.vetcd.raft.ConfState confState) {
        WalSnapshotMarker base = recovery.snapshot();
        if (skippedThrough != null && (base == null || skippedThrough.index() > base.index())) base = skippedThrough;
        if (base != null) {
            storage.applySnapshot(new io.vetcd.raft.Snapshot(
                new io.vetcd.raft.SnapshotMetadata(base.index(), base.term(), confState), new byte[0]));
        }
        if (recovery.hardState() != null) storage.setHardState(recovery.hardState());
        storage.append(recovery.entries());
        return base == null ? 0 : base.index();
    }

    /** The metadata written when the WAL was created (a copy). */
    public byte[] metadata() { return metadata.clone(); }

    /** Whether opening cut off a torn tail (non-zero bytes of an incomplete last write). */
    public boolean repairedTornTail() { return repairedTornTail; }

    public Path dir() { return dir; }

    /** Index of the last entry appended (or of a later snapshot marker), 0 for an empty log. */
    public long lastIndex() { return writer.lastIndex(); }

    /** Where fsync latency and written bytes are counted. */
    public void metrics(io.vetcd.metrics.WalMetrics m) { writer.metrics = m; }

    /**
     * Buffers a hard state (null or {@link HardState#EMPTY} means unchanged) and entries. Nothing is
     * durable until {@link #sync()}. An entry whose index is at or below {@link #lastIndex()}
     * overwrites the log from that index on.
     *
     * @throws IllegalArgumentException if the entries are not contiguous or leave a gap after the log
     */
    public void save(HardState hs, List<Entry> entries) {
        checkUsable();
        if (entries == null) entries = List.of();
        writer.validate(entries);
        try {
            // Entries before the hard state: if the batch is torn, a surviving prefix can never hold
            // a commit index beyond the surviving entries (raft refuses to start from such a state).
            writer.appendEntries(entries);
            writer.appendHardState(hs);
        } catch (IOException | RuntimeException e) {
            throw fail("save", e);
        }
    }

    /** Writes everything buffered and forces it to stable storage (one write + one fsync). */
    public void sync() {
        checkUsable();
        try {
            writer.sync();
        } catch (IOException | RuntimeException e) {
            throw fail("sync", e);
        }
    }

    public void saveAndSync(HardState hs, List<Entry> entries) {
        save(hs, entries);
        sync();
    }

    /**
     * Buffers a marker saying a backend snapshot at {@code index} exists; durable after the next
     * {@link #sync()}. Save the hard state whose commit covers it in the same batch: recovery only
     * trusts markers at or below the persisted commit index.
     */
    public void saveSnapshotMarker(long index, long term) {
        checkUsable();
        WalSnapshotMarker m = new WalSnapshotMarker(index, term);
        try {
            writer.appendSnapshot(m);
        } catch (IOException | RuntimeException e) {
            throw fail("saveSnapshotMarker", e);
        }
    }

    /**
     * Deletes whole segments all of whose entries are below {@code index} (the segment containing
     * {@code index} and the current one are kept). Syncs first, so a snapshot marker saved just before
     * is durable before the segments it replaces disappear. Call only with an index covered by a
     * synced snapshot marker.
     *
     * @return how many segments were deleted
     */
    public int releaseTo(long index) {
        checkUsable();
        try {
            writer.sync();
            return writer.releaseTo(index);
        } catch (IOException | RuntimeException e) {
            throw fail("releaseTo", e);
        }
    }

    /** Segment files currently in use, oldest first. */
    public List<Path> segmentFiles() {
        List<Path> out = new ArrayList<>();
        for (WalReader.SegmentInfo s : writer.segments()) out.add(s.segment.path());
        return out;
    }

    /** Syncs anything buffered and releases files and the directory lock. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Throwable err = null;
        if (failure == null) {
            try {
                writer.sync();
            } catch (IOException | RuntimeException e) {
                err = e;
            }
        }
        try {
            writer.close();
        } catch (IOException e) {
            if (err == null) err = e;
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            if (err == null) err = e;
        }
        if (err != null) throw new WalException("error closing WAL in " + dir, err);
    }

    private void checkUsable() {
        if (closed) throw new WalException("WAL in " + dir + " is closed");
        if (failure != null) throw new WalException("WAL in " + dir + " failed earlier; restart the member", failure);
    }

    private WalException fail(String op, Throwable e) {
        failure = e;
        return new WalException("WAL " + op + " failed in " + dir + ": " + e.getMessage(), e);
    }
}
