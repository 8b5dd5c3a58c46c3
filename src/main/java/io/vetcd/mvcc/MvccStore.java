package io.vetcd.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import io.vetcd.metrics.BackendMetrics;
import io.vetcd.metrics.MvccMetrics;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.FlushOptions;
import org.rocksdb.MutableDBOptions;
import org.rocksdb.WriteOptions;

/**
 * etcd 3.4-compatible multi-version key-value store on RocksDB. See {@code package-info.java} for
 * the storage layout.
 *
 * <p>Threading: writes ({@link #beginWrite()}, {@link #compact}) come from one thread (the server's
 * apply thread); reads ({@link #range}, {@link #eventsBetween}, {@link #hashKV}, meta reads) may come
 * from any number of threads concurrently. Reads take no lock (only striped counters that let
 * {@link #close()} wait for them): every read creates its own RocksDB
 * iterator, which pins a consistent point-in-time view of the database. A read first loads the
 * (volatile) current revision, which is published only after the batch holding that revision has
 * been written, then creates the iterator, then validates the requested revision against the
 * (volatile) compact revision. Because the compact revision is published before physical
 * compaction starts deleting, a read that passes the check was pinned before any deletion that
 * could affect it; and history {@code <= current} is otherwise immutable (new writes only add
 * versions with higher revisions, which reads skip).
 */
public final class MvccStore implements MetaReader, AutoCloseable {

    static {
        RocksNativeLibrary.load();
    }

    private static final System.Logger LOG = System.getLogger(MvccStore.class.getName());

    static final byte[] CF_KV = "kv".getBytes(StandardCharsets.UTF_8);
    static final byte[] CF_REV = "rev".getBytes(StandardCharsets.UTF_8);
    static final byte[] CF_META = "meta".getBytes(StandardCharsets.UTF_8);
    /** Same keys as {@link #CF_KV}, values without the user's value ({@link KeyIndex}). */
    static final byte[] CF_KEYS = "keys".getBytes(StandardCharsets.UTF_8);
    /** One entry per live key at the current revision ({@link LiveKeys}). */
    static final byte[] CF_LIVE = "live".getBytes(StandardCharsets.UTF_8);

    static final byte[] K_CONSISTENT_INDEX = "consistent_index".getBytes(StandardCharsets.UTF_8);
    static final byte[] K_CURRENT_REV = "current_revision".getBytes(StandardCharsets.UTF_8);
    static final byte[] K_SCHEDULED_COMPACT = "scheduled_compact_revision".getBytes(StandardCharsets.UTF_8);
    static final byte[] K_FINISHED_COMPACT = "finished_compact_revision".getBytes(StandardCharsets.UTF_8);
    /** Number of live (not deleted) keys, kept with every commit so /metrics never scans. */
    /** Present once the keys column family mirrors the kv column family ({@link KeyIndex}). */
    static final byte[] K_KEYS_INDEXED = "keys_indexed".getBytes(StandardCharsets.UTF_8);
    static final byte[] K_LIVE_KEYS = "live_keys".getBytes(StandardCharsets.UTF_8);
    /** Present once the live column family holds exactly the live keys ({@link LiveKeys}). */
    static final byte[] K_LIVE_INDEXED = "live_indexed".getBytes(StandardCharsets.UTF_8);

    private final Path dir;
    private final MvccOptions opts;
    final RocksDB db;
    final ColumnFamilyHandle defaultCf;
    final ColumnFamilyHandle kvCf;
    final ColumnFamilyHandle keysCf;
    final ColumnFamilyHandle revCf;
    final ColumnFamilyHandle metaCf;
    final ColumnFamilyHandle liveCf;
    private final List<AutoCloseable> resources = new ArrayList<>();
    final WriteOptions writeOptions;
    /** Shared, never mutated after open: safe to pass to newIterator from many threads. */
    final ReadOptions readOptions;
    /**
     * For answers streamed from a pinned view: a scan over a big range must not push the working
     * set out of the block cache, nor grow the member's memory by the cache's size.
     */
    private final ReadOptions scanReadOptions;

    private volatile long currentRev;
    private volatile long compactRev;
    private volatile long consistentIndex;
    /** Last compaction whose physical deletion finished; only touched by the compaction thread and open. */
    volatile long finishedCompactRev;

    private final ExecutorService compactor;
    private CompletableFuture<Void> lastCompaction = CompletableFuture.completedFuture(null);
    private final List<Consumer<Changes>> listeners = new CopyOnWriteArrayList<>();
    private WriteTxn activeTxn;
    volatile boolean closed;
    private final LongAdder readsIn = new LongAdder();
    private final LongAdder readsOut = new LongAdder();
    private volatile long liveKeys;
    /** Counts of the ranges count-only requests ask for again and again, kept at the current revision. */
    final CountedRanges counts = new CountedRanges(Integer.getInteger("vetcd.countedRanges", CountedRanges.DEFAULT_CAPACITY), 1);
    private volatile MvccMetrics metrics = MvccMetrics.DETACHED;
    private volatile BackendMetrics backendMetrics = BackendMetrics.DETACHED;

    private MvccStore(Path dir, MvccOptions opts) throws RocksDBException {
        this.dir = dir;
        this.opts = opts;
        LRUCache cache = track(new LRUCache(opts.blockCacheBytes()));
        // Memtables are charged to the block cache, so opts.blockCacheBytes() bounds RocksDB's
        // memory as a whole; writes stall rather than grow past it.
        WriteBufferManager memtables = track(new WriteBufferManager(opts.blockCacheBytes() / 2, cache));
        DBOptions dbOptions = track(new DBOptions()
                .setWriteBufferManager(memtables)
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(4)
                // RocksDB's own WAL is off (the raft WAL holds every entry), so a memtable that is
                // not flushed is lost on kill -9: all column families must flush together, or
                // after a crash one could hold an entry whose consistent index another lacks.
                .setAtomicFlush(true)
                .setBytesPerSync(1 << 20));
        // Data CFs: iterated by seek, so no bloom filter (it only helps point lookups without a
        // prefix extractor); 16 KB blocks + LZ4 keep scans cheap and the cache dense.
        BlockBasedTableConfig dataTable = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(16 * 1024)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
        ColumnFamilyOptions dataCfOptions = track(new ColumnFamilyOptions()
                .setTableFormatConfig(dataTable)
                .setWriteBufferSize(opts.writeBufferBytes())
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setLevelCompactionDynamicLevelBytes(true));
        // The key index: small entries scanned by count-only and keys-only ranges.
        ColumnFamilyOptions keysCfOptions = track(new ColumnFamilyOptions()
                .setTableFormatConfig(dataTable)
                .setWriteBufferSize(Math.max(2L << 20, opts.writeBufferBytes() / 4))
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setLevelCompactionDynamicLevelBytes(true));
        // Small CFs read by point lookups (meta, internal state): bloom filter helps gets.
        BlockBasedTableConfig pointTable = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(track(new BloomFilter(10)));
        ColumnFamilyOptions pointCfOptions = track(new ColumnFamilyOptions()
                .setTableFormatConfig(pointTable)
                .setWriteBufferSize(Math.max(2L << 20, opts.writeBufferBytes() / 4)));
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, pointCfOptions),
                new ColumnFamilyDescriptor(CF_KV, dataCfOptions),
                new ColumnFamilyDescriptor(CF_REV, dataCfOptions),
                new ColumnFamilyDescriptor(CF_META, pointCfOptions),
                new ColumnFamilyDescriptor(CF_KEYS, keysCfOptions),
                new ColumnFamilyDescriptor(CF_LIVE, keysCfOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        this.defaultCf = handles.get(0);
        this.kvCf = handles.get(1);
        this.revCf = handles.get(2);
        this.metaCf = handles.get(3);
        this.keysCf = handles.get(4);
        this.liveCf = handles.get(5);
        // The raft WAL is the durability source: entries after the consistent index that reached
        // SST files are replayed from it on start (etcd replays after its last bbolt commit the
        // same way), so RocksDB keeps no WAL of its own. The raft WAL is released only up to an
        // index the backend has flushed ({@link #flush}).
        this.writeOptions = new WriteOptions().setSync(false).setDisableWAL(true);
        this.readOptions = new ReadOptions();
        this.scanReadOptions = new ReadOptions().setFillCache(false).setReadaheadSize(1 << 20);
        this.compactor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mvcc-compaction-" + dir.getFileName());
            t.setDaemon(true);
            return t;
        });
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Opens (or creates) the store in {@code dir}, resuming an interrupted compaction. */
    public static MvccStore open(Path dir, MvccOptions opts) {
        try {
            Files.createDirectories(dir);
            MvccStore s = new MvccStore(dir, opts);
            s.currentRev = s.getLong(K_CURRENT_REV, 1);
            s.consistentIndex = s.getLong(K_CONSISTENT_INDEX, 0);
            s.compactRev = s.getLong(K_SCHEDULED_COMPACT, 0);
            s.finishedCompactRev = s.getLong(K_FINISHED_COMPACT, 0);
            if (s.db.get(s.defaultCf, K_KEYS_INDEXED) == null) {
                KeyIndex.rebuild(s);
            }
            if (s.db.get(s.defaultCf, K_LIVE_INDEXED) == null) {
                LiveKeys.rebuild(s);
            }
            s.liveKeys = s.loadLiveKeys();
            s.counts.reset(s.currentRev);
            if (s.compactRev > s.finishedCompactRev) {
                s.lastCompaction = s.scheduleCompaction(s.compactRev);
            }
            return s;
        } catch (RocksDBException | IOException e) {
            throw new StorageException("cannot open mvcc store at " + dir, e);
        }
    }

    /** The stored live-key count; a store written before it was kept (or imported) is counted once. */
    private long loadLiveKeys() throws RocksDBException {
        long stored = getLong(K_LIVE_KEYS, -1);
        if (stored >= 0) return stored;
        RangeRequest all = RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0}))
                .setRangeEnd(ByteString.copyFrom(new byte[] {0})).setCountOnly(true).build();
        return range(all).count();
    }

    /** Keys with a live version at the current revision (etcd's keys_total gauge). */
    public long liveKeys() {
        return liveKeys;
    }

    void liveKeys(long n) {
        liveKeys = n;
    }

    /** Where this store counts its operations; set once by the member that owns it. */
    public void metrics(MvccMetrics mvcc, BackendMetrics backend) {
        this.metrics = mvcc;
        this.backendMetrics = backend;
    }

    public MvccMetrics metrics() {
        return metrics;
    }

    BackendMetrics backendMetrics() {
        return backendMetrics;
    }

    /** Read transactions in flight (etcd's db_open_read_transactions). */
    public long openReads() {
        return Math.max(0, readsIn.sum() - readsOut.sum());
    }

    private long getLong(byte[] key, long dflt) throws RocksDBException {
        byte[] v = db.get(defaultCf, key);
        return v == null ? dflt : KeyEncoding.getLong(v, 0);
    }

    public Path directory() {
        return dir;
    }

    /** Revision of the last committed write transaction; 1 for an empty store. */
    public long currentRevision() {
        return currentRev;
    }

    /** Revision of the last requested compaction (reads below it fail); 0 if never compacted. */
    public long compactRevision() {
        return compactRev;
    }

    /** Raft index stored by the last {@link WriteTxn#commit(long)}. */
    public long consistentIndex() {
        return consistentIndex;
    }

    // ---------------------------------------------------------------- reads

    /** etcd Range. Thread-safe; see the class comment. */
    public RangeResult range(RangeRequest req) {
        enterRead();
        long cur = currentRev;
        try {
            if (req.getCountOnly() && atCurrent(req, cur)) {
                byte[] key = req.getKey().toByteArray();
                byte[] end = RangeExecutor.cursorEnd(req.getRangeEnd());
                RangeResult known = knownCount(req, key, end, cur);
                if (known != null) return known;
                // kept from now on: registered before the snapshot its first walk reads
                CountedRanges.Range joining = restoring ? null : counts.register(key, end);
                try (PinnedRead pin = pin()) {
                    if (pin.revision == cur || joining != null) {
                        long n = LiveKeys.count(this, pin.options, key, end);
                        counts.settle(joining, n, pin.revision);
                        joining = null;
                        if (pin.revision == cur) return new RangeResult(List.of(), n, false, cur, cur);
                    }
                } catch (RocksDBException e) {
                    throw new StorageException("count failed", e);
                } finally {
                    counts.abandon(joining);
                }
            }
            try (RocksIterator it = db.newIterator(KeyIndex.serves(req) ? keysCf : kvCf, readOptions)) {
                long rev = checkRevision(req.getRevision(), cur);
                KeyCursor cursor = new StoreCursor(it, req.getKey().toByteArray(),
                        RangeExecutor.cursorEnd(req.getRangeEnd()), rev);
                return RangeExecutor.execute(cursor, req, rev, cur);
            }
        } finally {
            exitRead();
        }
    }

    /**
     * A count-only range at the current revision answered from the counts kept in memory
     * ({@link CountedRanges}), or null: then {@link #range} reads it. Touches no RocksDB, so it may
     * run on an event loop.
     */
    public RangeResult countFromMemory(RangeRequest req) {
        if (!req.getCountOnly() || closed) return null;
        long cur = currentRev;
        if (!atCurrent(req, cur)) return null;
        return knownCount(req, req.getKey().toByteArray(), RangeExecutor.cursorEnd(req.getRangeEnd()), cur);
    }

    /**
     * The kept count at {@code cur}, or null. A write that moved it after {@code cur} was read makes
     * it unknown at {@code cur}; a read of the current revision (0) then takes the newer one, which is
     * as linearizable (published after the read began).
     */
    private RangeResult knownCount(RangeRequest req, byte[] key, byte[] end, long cur) {
        long n = counts.count(key, end, cur);
        if (n < 0 && req.getRevision() == 0 && currentRev != cur) {
            cur = currentRev;
            n = counts.count(key, end, cur);
        }
        return n < 0 ? null : new RangeResult(List.of(), n, false, cur, cur);
    }

    /**
     * Opens a pinned view for a range answered in chunks ({@link RangeSizer}, {@link RangeEncoder});
     * checks the revision as {@link #range} does. The caller must close it.
     */
    public RangeView openRangeView(RangeRequest req) {
        enterRead();
        long cur = currentRev;
        if (atCurrent(req, cur)) {
            // count from memory or the live-key index, values (if any) from kv, both at `cur`
            byte[] key = req.getKey().toByteArray();
            byte[] end = RangeExecutor.cursorEnd(req.getRangeEnd());
            long count = counts.count(key, end, cur); // a list's first page asks for a counted prefix
            // a list's page asked for again is counted from now on (continuation pages come once)
            CountedRanges.Range joining = count < 0 && req.getLimit() > 0 && !restoring ? counts.registerIfSeenBefore(key, end) : null;
            PinnedRead pin = null;
            RocksIterator it = null;
            try {
                pin = pin();
                if (joining != null || (count < 0 && pin.revision == cur)) {
                    count = LiveKeys.count(this, pin.options, key, end);
                    counts.settle(joining, count, pin.revision);
                    joining = null;
                }
                if (pin.revision == cur) {
                    if (req.getLimit() <= 0 || req.getLimit() > PAGE_CACHED_KEYS) {
                        pin.options.setFillCache(false).setReadaheadSize(1 << 20); // as scanReadOptions
                    }
                    it = db.newIterator(KeyIndex.serves(req) ? keysCf : kvCf, pin.options);
                    return new RangeView(this, it, req, cur, cur, count, pin);
                }
            } catch (RocksDBException | RuntimeException e) {
                counts.abandon(joining);
                if (it != null) it.close();
                if (pin != null) pin.close();
                exitRead();
                throw e instanceof RocksDBException ? new StorageException("range failed", e) : (RuntimeException) e;
            }
            pin.close();
        }
        RocksIterator it = db.newIterator(KeyIndex.serves(req) ? keysCf : kvCf, scanReadOptions);
        try {
            return new RangeView(this, it, req, checkRevision(req.getRevision(), cur), cur);
        } catch (RuntimeException e) {
            it.close();
            exitRead();
            throw e;
        }
    }

    /**
     * A page of a list (Kubernetes asks for 500 keys at a time) goes through the block cache like a
     * get: the next list reads the same blocks. Bigger and unlimited scans bypass it (see
     * {@link #scanReadOptions}).
     */
    private static final long PAGE_CACHED_KEYS = 1000;

    /**
     * Calls {@code each(lease, key)} for every key live at the current revision that names a lease:
     * one pass over the key index (headers, no values, no count), for the lessor's recovery at start.
     */
    public void forEachKeyWithLease(java.util.function.BiConsumer<Long, ByteString> each) {
        enterRead();
        long cur = currentRev;
        try (RocksIterator it = db.newIterator(keysCf, scanReadOptions)) {
            StoreCursor c = new StoreCursor(it, new byte[] {0}, new byte[0], cur);
            while (c.advance()) {
                KeyValue kv = c.kv(true);
                if (kv.getLease() != 0) each.accept(kv.getLease(), kv.getKey());
            }
        } finally {
            exitRead();
        }
    }

    /** A read of the current revision (0, or the current one named): the live-key index may answer its count. */
    private static boolean atCurrent(RangeRequest req, long cur) {
        return req.getRevision() == 0 || req.getRevision() == cur;
    }

    /** A RocksDB snapshot and the store's revision in it; the reads made with {@link #options} see exactly that revision. */
    final class PinnedRead implements AutoCloseable {
        final Snapshot snapshot = db.getSnapshot();
        final ReadOptions options = new ReadOptions().setSnapshot(snapshot);
        final long revision;

        PinnedRead() throws RocksDBException {
            long r;
            try {
                byte[] v = db.get(defaultCf, options, K_CURRENT_REV);
                r = v == null ? 1 : KeyEncoding.getLong(v, 0);
            } catch (RocksDBException | RuntimeException e) {
                close();
                throw e;
            }
            revision = r;
        }

        @Override
        public void close() {
            options.close();
            db.releaseSnapshot(snapshot);
        }
    }

    PinnedRead pin() throws RocksDBException {
        return new PinnedRead();
    }

    /** Plain range of {@code [key, end)} (etcd end conventions) at {@code rev} (0 = current). */
    public RangeResult range(byte[] key, byte[] end, long rev) {
        return range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(key))
                .setRangeEnd(end == null ? ByteString.EMPTY : ByteString.copyFrom(end)).setRevision(rev).build());
    }

    /** Resolves 0 to {@code cur} and applies etcd's future/compacted checks (future first). */
    long checkRevision(long requested, long cur) {
        if (requested > cur) {
            throw new FutureRevisionException();
        }
        long rev = requested <= 0 ? cur : requested;
        if (rev < compactRev) {
            throw new CompactedException();
        }
        return rev;
    }

    /**
     * Change events with main revision in {@code [fromRev, toRev]} (toRev capped at the current
     * revision), oldest first, with prev_kv when the previous version is still visible (i.e. the
     * event's revision is above the compact revision). Stops once at least {@code maxEvents}
     * events are collected, but never in the middle of a revision, so the caller can resume at
     * {@code last.getKv().getModRevision() + 1}.
     *
     * @throws CompactedException if {@code fromRev < compactRevision()}
     */
    public List<Event> eventsBetween(long fromRev, long toRev, int maxEvents) {
        enterRead();
        try {
            return eventsBetween0(fromRev, toRev, maxEvents);
        } finally {
            exitRead();
        }
    }

    private List<Event> eventsBetween0(long fromRev, long toRev, int maxEvents) {
        long cur = currentRev;
        Snapshot snap = db.getSnapshot();
        try (ReadOptions ro = new ReadOptions().setSnapshot(snap);
             RocksIterator revIt = db.newIterator(revCf, ro);
             RocksIterator kvIt = db.newIterator(kvCf, ro)) {
            long compact = compactRev;
            if (fromRev < compact) {
                throw new CompactedException();
            }
            long to = Math.min(toRev, cur);
            List<Event> out = new ArrayList<>();
            long lastMain = -1;
            for (revIt.seek(KeyEncoding.revKey(Math.max(fromRev, 0), 0)); revIt.isValid(); revIt.next()) {
                byte[] rk = revIt.key();
                long main = KeyEncoding.revMain(rk);
                if (main > to || (out.size() >= maxEvents && main != lastMain)) {
                    break;
                }
                lastMain = main;
                Event ev = eventAt(kvIt, revIt.value(), main, KeyEncoding.revSub(rk), compact);
                if (ev != null) {
                    out.add(ev);
                }
            }
            return out;
        } finally {
            db.releaseSnapshot(snap);
        }
    }

    private static Event eventAt(RocksIterator kvIt, byte[] userKey, long main, long sub, long compact) {
        byte[] prefix = KeyEncoding.prefix(userKey);
        int pl = prefix.length;
        kvIt.seek(KeyEncoding.versionSeek(prefix, pl, main, sub));
        if (!kvIt.isValid()) {
            return null;
        }
        byte[] k = kvIt.key();
        if (!isVersion(k, prefix, main, sub)) {
            return null; // removed by compaction (events at exactly the compact revision)
        }
        boolean tombstone = KeyEncoding.isTombstone(k);
        if (main == compact) {
            // Compaction at this revision removes its tombstones and superseded versions; hide
            // them even before physical deletion so the answer does not depend on its progress.
            if (tombstone) {
                return null;
            }
            kvIt.seek(KeyEncoding.seekAtOrBefore(prefix, pl, main));
            if (!isVersion(kvIt.key(), prefix, main, sub)) {
                return null;
            }
        }
        ByteString key = UnsafeByteOperations.unsafeWrap(userKey);
        Event.Builder ev = Event.newBuilder();
        if (tombstone) {
            ev.setType(Event.EventType.DELETE).setKv(KeyValue.newBuilder().setKey(key).setModRevision(main));
        } else {
            ev.setType(Event.EventType.PUT).setKv(StoredValue.decode(key, main, kvIt.value(), false));
        }
        if (main > compact) {
            // prev_kv = the key at revision main-1, like etcd's watch (skip same-revision versions).
            for (kvIt.next(); kvIt.isValid(); kvIt.next()) {
                byte[] p = kvIt.key();
                if (p.length != k.length || !KeyEncoding.samePrefix(p, prefix, pl)) {
                    break;
                }
                long m = KeyEncoding.main(p, pl);
                if (m < main) {
                    if (!KeyEncoding.isTombstone(p)) {
                        ev.setPrevKv(StoredValue.decode(key, m, kvIt.value(), false));
                    }
                    break;
                }
            }
        }
        return ev.build();
    }

    private static boolean isVersion(byte[] k, byte[] prefix, long main, long sub) {
        int pl = prefix.length;
        return k.length == pl + KeyEncoding.SUFFIX_LEN && KeyEncoding.samePrefix(k, prefix, pl)
                && KeyEncoding.main(k, pl) == main && KeyEncoding.sub(k, pl) == sub;
    }

    /**
     * Hash of every version with revision in {@code (compactRevision, rev]} plus, per key, the
     * newest version {@code <= compactRevision} unless it is a tombstone: exactly what survives
     * compaction, so the hash does not depend on how far physical compaction has progressed.
     */
    public HashKV hashKV(long rev) {
        enterRead();
        try {
            return hashKV0(rev);
        } finally {
            exitRead();
        }
    }

    private HashKV hashKV0(long rev) {
        long cur = currentRev;
        try (RocksIterator it = db.newIterator(kvCf, scanReadOptions)) { // a full scan: not through the block cache
            long compact = compactRev;
            long at = checkRevision(rev, cur);
            CRC32 crc = new CRC32();
            byte[] lastPrefix = null;
            int lastPl = 0;
            boolean tookCompacted = false;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                int pl = KeyEncoding.prefixLength(k);
                if (lastPrefix == null || pl != lastPl || !KeyEncoding.samePrefix(k, lastPrefix, pl)) {
                    lastPrefix = k;
                    lastPl = pl;
                    tookCompacted = false;
                }
                long main = KeyEncoding.main(k, pl);
                if (main > at) {
                    continue;
                }
                if (main <= compact) {
                    if (tookCompacted) {
                        continue;
                    }
                    tookCompacted = true;
                }
                if (main <= compact && KeyEncoding.isTombstone(k)) {
                    continue;
                }
                crc.update(k);
                crc.update(it.value());
            }
            return new HashKV(crc.getValue(), compact, at);
        }
    }

    /**
     * A consistent point-in-time view of everything in the store, for exports (etcd's backend
     * snapshot). Thread-safe; the caller must close it, and should not keep it open longer than
     * needed: closing the store or installing a snapshot from the leader waits for it.
     */
    public HistoryView openHistoryView() {
        ensureOpen();
        return new HistoryView(this);
    }

    /** Value stored by another component with {@link WriteTxn#putMeta}, or null. */
    @Override
    public byte[] getMeta(byte[] key) {
        enterRead();
        try {
            return db.get(metaCf, key);
        } catch (RocksDBException e) {
            throw new StorageException("meta read failed", e);
        } finally {
            exitRead();
        }
    }

    /** All meta entries whose key starts with {@code prefix}, in key order. */
    @Override
    public List<Map.Entry<byte[], byte[]>> scanMeta(byte[] prefix) {
        List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
        enterRead();
        try (RocksIterator it = db.newIterator(metaCf, readOptions)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (k.length < prefix.length || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                    break;
                }
                out.add(new AbstractMap.SimpleImmutableEntry<>(k, it.value()));
            }
        } finally {
            exitRead();
        }
        return out;
    }

    // ---------------------------------------------------------------- writes

    /**
     * Starts the (only) write transaction, on its own: whatever grouped txns wait in memory is
     * written first, and this txn's commit goes to RocksDB at once. Call from the apply thread.
     */
    public synchronized WriteTxn beginWrite() {
        writePending();
        return begin(false);
    }

    /**
     * Starts a write transaction whose commit joins the group of writes waiting in memory: one
     * RocksDB write for all of them ({@link #writePending}, at the end of an applied batch of raft
     * entries). Until then its changes are seen by later txns of the group but not by readers,
     * and its revision is not published (the apply loop answers and advances its applied index
     * only after the group is written). Call from the apply thread.
     */
    public synchronized WriteTxn beginGroupedWrite() {
        return begin(true);
    }

    private WriteTxn begin(boolean grouped) {
        ensureOpen();
        if (activeTxn != null) {
            throw new IllegalStateException("a write transaction is already open");
        }
        activeTxn = new WriteTxn(this, writerRevision(), grouped);
        return activeTxn;
    }

    /** The writer's view of the kv family: RocksDB, merged with the waiting group for a grouped txn. */
    RocksIterator writerIterator(boolean grouped) {
        RocksIterator it = db.newIterator(kvCf, readOptions);
        return grouped ? pendingBatch().newIteratorWithBase(kvCf, it) : it; // it then owns the base iterator
    }

    WriteBatchWithIndex pendingBatch() {
        if (pending == null) pending = new WriteBatchWithIndex(true);
        return pending;
    }

    // ------------------------------------------------ grouped writes (one RocksDB write per batch)

    /** Writes of grouped txns not yet in RocksDB, readable by later grouped txns; apply thread only. */
    private WriteBatchWithIndex pending;
    /** What each grouped txn publishes once its group is written, in commit order. */
    private final List<GroupedCommit> pendingCommits = new ArrayList<>();

    record GroupedCommit(long revision, long consistentIndex, long liveKeys, Changes changes) { }

    /** The newest version of recently written keys, as the writer sees them (writer thread only). */
    final KeyHeads heads = KeyHeads.fromProperty();

    WriteBatchWithIndex pending() {
        return pending;
    }

    void staged(GroupedCommit c) {
        pendingCommits.add(c);
    }

    /** Current revision as the writer sees it: including grouped txns not yet written. */
    public long writerRevision() {
        return pendingCommits.isEmpty() ? currentRev : pendingCommits.get(pendingCommits.size() - 1).revision();
    }

    long writerLiveKeys() {
        return pendingCommits.isEmpty() ? liveKeys : pendingCommits.get(pendingCommits.size() - 1).liveKeys();
    }

    /**
     * Writes the group of grouped txns as one RocksDB write (without RocksDB's WAL: the raft WAL
     * holds the entries) and then publishes each txn's revision, consistent index and changes in
     * order, as if each had been written alone. Apply thread (or the core after a drain).
     */
    public void writePending() {
        if (pending == null) return;
        WriteBatchWithIndex group = pending;
        pending = null;
        List<GroupedCommit> commits = List.copyOf(pendingCommits);
        pendingCommits.clear();
        long started = System.nanoTime();
        try {
            if (!commits.isEmpty()) db.write(writeOptions, group);
        } catch (RocksDBException e) {
            throw new StorageException("commit failed", e);
        } finally {
            group.close();
        }
        if (commits.isEmpty()) return;
        backendMetrics.commitSeconds.observeSecondsSince(started);
        for (GroupedCommit c : commits) {
            liveKeys = c.liveKeys();
            published(c.revision(), c.consistentIndex(), c.changes());
        }
    }

    /**
     * Makes everything written so far durable on its own: every column family's memtable is
     * flushed to SST files together (atomic flush), so the backend's durable consistent index is
     * at least the one written last. Only then may the raft WAL before that index be released: a
     * kill -9 loses what was not flushed, and a restart replays it from the raft WAL. Called
     * rarely: once per raft snapshot, per compaction, after imports and snapshot installs.
     */
    public void flush() {
        ensureOpen();
        enterRead(); // close() waits for it, as for a read: the flush may run on the server's flush thread
        try {
            flush0();
        } finally {
            exitRead();
        }
    }

    private void flush0() {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true).setAllowWriteStall(true)) {
            db.flush(fo, List.of(defaultCf, kvCf, revCf, metaCf, keysCf, liveCf));
        } catch (RocksDBException e) {
            throw new StorageException("flushing the backend failed", e);
        }
    }

    /**
     * Closes the store as a kill -9 or power loss leaves it: writes not yet flushed to SST files
     * are dropped instead of flushed on close. For simulations of a crash (the server simulation).
     */
    public void abandon() {
        if (closed) return;
        try {
            db.setDBOptions(MutableDBOptions.builder().setAvoidFlushDuringShutdown(true).build());
        } catch (RocksDBException e) {
            throw new StorageException("cannot abandon the store", e);
        }
        synchronized (this) {
            if (pending != null) {
                pending.close();
                pending = null;
                pendingCommits.clear();
            }
        }
        close();
    }

    synchronized void finishTxn(WriteTxn txn) {
        if (activeTxn == txn) {
            activeTxn = null;
        }
    }

    /** Called by {@link WriteTxn#commit} after its batch is in RocksDB. */
    void published(long rev, long ci, Changes changes) {
        counts.apply(rev, changes); // before the revision is published: a reader at rev finds the counts at rev
        currentRev = rev;
        consistentIndex = ci;
        if (changes != null) {
            for (Consumer<Changes> l : listeners) {
                try {
                    l.accept(changes);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "change listener failed", e);
                }
            }
        }
    }

    /**
     * A change event with its prev_kv: as it came if it has one (deletes, {@link WriteTxn#put}),
     * else, for a put, the key's version at the revision before it, read now (etcd's watch reads it
     * when it sends the same way). Call from a change listener: the store is then at the event's
     * revision, so that version is still there.
     */
    public Event withPrevKv(Event e) {
        KeyValue kv = e.getKv();
        long before = kv.getModRevision() - 1;
        if (e.hasPrevKv() || e.getType() != Event.EventType.PUT || kv.getVersion() <= 1 || before < compactRev) return e;
        try {
            RangeResult r = range(RangeRequest.newBuilder().setKey(kv.getKey()).setRevision(before).build());
            return r.kvs().isEmpty() ? e : e.toBuilder().setPrevKv(r.kvs().get(0)).build();
        } catch (CompactedException ignored) {
            return e;
        }
    }

    /** Listener is called synchronously on the committing thread, once per revision, in order. */
    public void addChangeListener(Consumer<Changes> listener) {
        listeners.add(listener);
    }

    public void removeChangeListener(Consumer<Changes> listener) {
        listeners.remove(listener);
    }

    /** {@link #compact(long, long)} without updating the consistent index. */
    public CompletableFuture<Void> compact(long rev) {
        return compact(rev, -1);
    }

    /**
     * Records compaction at {@code rev} durably (together with {@code consistentIndex} if it is
     * {@code >= 0}) and returns immediately; reads below {@code rev} fail from now on. Physical
     * deletion runs on the store's compaction thread in bounded batches; the returned future
     * completes when it is done (etcd's {@code physical=true}).
     */
    public synchronized CompletableFuture<Void> compact(long rev, long consistentIndexToStore) {
        ensureOpen();
        writePending();
        if (rev <= compactRev) {
            throw new CompactedException();
        }
        if (rev > currentRev) {
            throw new FutureRevisionException();
        }
        // Flushed, unlike ordinary commits (etcd force-commits here too): compactions are rare,
        // and once reads below `rev` have been refused the compact revision must never go back.
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(defaultCf, K_SCHEDULED_COMPACT, KeyEncoding.longBytes(rev));
            if (consistentIndexToStore >= 0) {
                batch.put(defaultCf, K_CONSISTENT_INDEX, KeyEncoding.longBytes(consistentIndexToStore));
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StorageException("cannot record compaction", e);
        }
        flush0();
        compactRev = rev;
        if (consistentIndexToStore >= 0) {
            consistentIndex = consistentIndexToStore;
        }
        lastCompaction = scheduleCompaction(rev);
        return lastCompaction;
    }

    private CompletableFuture<Void> scheduleCompaction(long rev) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        compactor.execute(() -> {
            try {
                long started = System.nanoTime();
                CompactionJob job = new CompactionJob(this, rev, opts);
                boolean finished = job.run();
                metrics.compactionKeys.add(job.deletedVersions);
                if (finished) metrics.compactionTotalMs.observe((System.nanoTime() - started) / 1_000_000);
                if (finished) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(new CancellationException("store closed; compaction resumes on next open"));
                }
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "compaction at " + rev + " failed", t);
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Completes when every compaction requested so far has been physically applied. */
    public synchronized CompletableFuture<Void> compactionWait() {
        return lastCompaction;
    }

    // ---------------------------------------------------------------- maintenance

    /** Approximate bytes on disk plus memtables (etcd's dbSize). */
    public long dbSize() {
        return sumProperty("rocksdb.total-sst-files-size") + sumProperty("rocksdb.cur-size-all-mem-tables");
    }

    /** Approximate bytes of live data (etcd's dbSizeInUse). */
    public long dbSizeInUse() {
        return sumProperty("rocksdb.live-sst-files-size") + sumProperty("rocksdb.cur-size-all-mem-tables");
    }

    /**
     * RocksDB's own memory, by part (bytes): {@code block-cache} is the shared cache's usage, which
     * includes the memtables charged to it by the WriteBufferManager; {@code memtables} are the
     * active, immutable and pinned memtables of every column family; {@code table-readers} the index
     * and filter blocks held outside the cache. Read from properties, nothing is scanned.
     */
    public long rocksMemory(String part) {
        return switch (part) {
            case "block-cache" -> property(kvCf, "rocksdb.block-cache-usage");
            case "block-cache-pinned" -> property(kvCf, "rocksdb.block-cache-pinned-usage");
            case "memtables" -> sumProperty("rocksdb.size-all-mem-tables");
            case "table-readers" -> sumProperty("rocksdb.estimate-table-readers-mem");
            default -> throw new IllegalArgumentException(part);
        };
    }

    private long property(ColumnFamilyHandle cf, String name) {
        return sumProperty(List.of(cf), name);
    }

    private long sumProperty(String name) {
        return sumProperty(List.of(defaultCf, kvCf, revCf, metaCf, keysCf, liveCf), name);
    }

    private long sumProperty(List<ColumnFamilyHandle> families, String name) {
        long sum = 0;
        enterRead();
        try {
            for (ColumnFamilyHandle cf : families) {
                sum += db.getLongProperty(cf, name);
            }
        } catch (RocksDBException e) {
            throw new StorageException("cannot read " + name, e);
        } finally {
            exitRead();
        }
        return sum;
    }

    /**
     * Manual RocksDB compaction of every column family, which drops the deletion markers left by
     * MVCC compaction and reclaims space. Runs on the calling thread; RocksDB compacts in the
     * background of its own read/write paths, so readers and the writer are not blocked.
     */
    public void defragment() {
        ensureOpen();
        long started = System.nanoTime();
        backendMetrics.defragInflight.set(1);
        try {
            defragment0();
        } finally {
            backendMetrics.defragInflight.set(0);
            backendMetrics.defragSeconds.observeSecondsSince(started);
        }
    }

    private void defragment0() {
        // Non-exclusive so RocksDB's automatic compactions keep running (no write stalls while we
        // work); forced bottommost compaction so deletion markers are actually dropped.
        try (CompactRangeOptions cro = new CompactRangeOptions()
                .setExclusiveManualCompaction(false)
                .setAllowWriteStall(false)
                .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForceOptimized)) {
            for (ColumnFamilyHandle cf : List.of(kvCf, revCf, metaCf, defaultCf, keysCf, liveCf)) {
                db.compactRange(cf, null, null, cro);
            }
        } catch (RocksDBException e) {
            throw new StorageException("defragment failed", e);
        }
    }

    /**
     * Writes a consistent RocksDB checkpoint (hard links where possible) to {@code targetDir},
     * which must not exist. Includes the consistent index, so a member restored from it replays
     * raft entries after that index.
     */
    public Path checkpoint(Path targetDir) {
        ensureOpen();
        try (Checkpoint cp = Checkpoint.create(db)) {
            cp.createCheckpoint(targetDir.toString());
            return targetDir;
        } catch (RocksDBException e) {
            throw new StorageException("checkpoint to " + targetDir + " failed", e);
        }
    }


    /**
     * Replaces {@code dir} with a copy of {@code checkpointDir} (SST files hard-linked when
     * possible) and opens it. {@code checkpointDir} is left intact.
     */
    public static MvccStore restoreFrom(Path checkpointDir, Path dir, MvccOptions opts) {
        try {
            deleteRecursively(dir);
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(checkpointDir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (!Files.isRegularFile(f)) {
                        continue;
                    }
                    Path target = dir.resolve(f.getFileName());
                    // SST files are immutable, so a hard link is as good as a copy and instant;
                    // everything else (MANIFEST, WAL, OPTIONS) is copied because RocksDB may
                    // touch it after open.
                    if (f.getFileName().toString().endsWith(".sst")) {
                        try {
                            Files.createLink(target, f);
                            continue;
                        } catch (IOException | UnsupportedOperationException e) {
                            // different file system: fall through to copy
                        }
                    }
                    Files.copy(f, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return open(dir, opts);
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(x);
            }
        }
    }

    /**
     * Read-side close guard: two striped counters instead of a lock, so concurrent readers do not
     * contend on one cache line. {@link #close()} sets {@code closed} and then waits until every
     * reader that entered has left; a reader entering later sees {@code closed} and fails fast
     * instead of touching freed native handles.
     */
    void enterRead() {
        readsIn.increment();
        if (closed) {
            readsOut.increment();
            throw new IllegalStateException("mvcc store is closed");
        }
    }

    void exitRead() {
        readsOut.increment();
    }

    private void awaitReaders() {
        // Read "out" before "in": equality then proves nobody was inside at that moment.
        while (readsOut.sum() != readsIn.sum()) {
            Thread.onSpinWait();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("mvcc store is closed");
        }
        if (restoring) {
            throw new StorageException("mvcc store is being replaced by a snapshot from the leader", null);
        }
    }

    /** Set while {@link #loadFrom} replaces the contents: reads fail fast instead of seeing a mix. */
    private volatile boolean restoring;

    boolean isRestoring() {
        return restoring;
    }

    /**
     * Replaces this store's whole contents with those of a checkpoint (a raft snapshot received
     * from the leader), in place, so everything holding this store keeps working. Writer thread
     * only. Reads during the replacement fail; afterwards revisions, compact revision and
     * consistent index are the checkpoint's. Change listeners are not called: whoever installs a
     * snapshot must resynchronise its watchers itself.
     */
    public void loadFrom(Path checkpointDir) {
        if (activeTxn != null) throw new IllegalStateException("a write transaction is open");
        writePending();
        List<ColumnFamilyHandle> live = List.of(defaultCf, kvCf, revCf, metaCf);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor(CF_KV), new ColumnFamilyDescriptor(CF_REV), new ColumnFamilyDescriptor(CF_META));
        List<ColumnFamilyHandle> src = new ArrayList<>();
        restoring = true;
        counts.reset(currentRev); // nothing counted survives the replacement, nothing joins during it
        try {
            // let reads that passed the check before the flag finish
            while (readsIn.sum() != readsOut.sum()) Thread.onSpinWait();
            try (DBOptions o = new DBOptions(); RocksDB from = RocksDB.openReadOnly(o, checkpointDir.toString(), descriptors, src)) {
                for (int i = 0; i < live.size(); i++) {
                    replaceFamily(live.get(i), from, src.get(i));
                }
            } finally {
                src.forEach(ColumnFamilyHandle::close);
            }
            heads.clear();
            // the checkpoint may come from a member without the key index: always rebuild it here
            KeyIndex.rebuild(this);
            LiveKeys.rebuild(this);
            long installed = getLong(K_CURRENT_REV, 1);
            counts.reset(installed); // before the revision: no reader may take an old count at the new revision
            currentRev = installed;
            consistentIndex = getLong(K_CONSISTENT_INDEX, 0);
            compactRev = getLong(K_SCHEDULED_COMPACT, 0);
            finishedCompactRev = getLong(K_FINISHED_COMPACT, 0);
            liveKeys = loadLiveKeys();
            // the raft WAL starts again at the snapshot: the entries before it live only here now
            flush0();
        } catch (RocksDBException e) {
            throw new StorageException("installing a snapshot from " + checkpointDir + " failed", e);
        } finally {
            restoring = false;
        }
    }

    /** Deletes every key of a live family, then copies the source family in bounded batches. */
    private void replaceFamily(ColumnFamilyHandle dst, RocksDB from, ColumnFamilyHandle srcCf) throws RocksDBException {
        try (RocksIterator it = db.newIterator(dst)) {
            writeInBatches(it, (wb, i) -> wb.delete(dst, i.key()));
        }
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = from.newIterator(srcCf, ro)) {
            writeInBatches(it, (wb, i) -> wb.put(dst, i.key(), i.value()));
        }
    }

    interface BatchOp {
        void add(WriteBatch wb, RocksIterator it) throws RocksDBException;
    }

    /** One write operation per iterated key, written in batches of a few MiB. */
    void writeInBatches(RocksIterator it, BatchOp op) throws RocksDBException {
        final int batchBytes = 4 << 20;
        WriteBatch wb = new WriteBatch();
        try {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                op.add(wb, it);
                if (wb.getDataSize() > batchBytes) {
                    db.write(writeOptions, wb);
                    wb.close();
                    wb = new WriteBatch();
                }
            }
            db.write(writeOptions, wb);
        } finally {
            wb.close();
        }
    }

    /**
     * Stops the compaction thread (an unfinished compaction resumes on the next open), waits for
     * in-flight reads, and closes RocksDB. Reads started afterwards fail with IllegalStateException.
     * The writer must have stopped (an open write txn is aborted).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        compactor.shutdown();
        try {
            compactor.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (activeTxn != null) {
            activeTxn.abort();
        }
        if (pending != null) {
            // a batch cut short: none of its entries was answered; the raft WAL replays them
            pending.close();
            pending = null;
            pendingCommits.clear();
        }
        awaitReaders();
        for (ColumnFamilyHandle h : List.of(kvCf, revCf, metaCf, defaultCf, keysCf, liveCf)) {
            h.close();
        }
        db.close();
        writeOptions.close();
        readOptions.close();
        scanReadOptions.close();
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "close failed", e);
            }
        }
    }
}
