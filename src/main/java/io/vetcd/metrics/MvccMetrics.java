package io.vetcd.metrics;

import java.util.function.LongSupplier;

/**
 * etcd's mvcc/metrics.go and metrics_txn.go: operations counted per storage transaction as etcd
 * counts them (a range, put or delete call each; a "txn" is a storage transaction with more than
 * one of them), keys, revisions, database size, compaction, and the watch gauges.
 */
public final class MvccMetrics {
    /** Not registered anywhere: what a store counts into before a member wires its registry. */
    public static final MvccMetrics DETACHED = new MvccMetrics(new MetricRegistry());

    private final MetricRegistry registry;
    private final Counter range;
    private final Counter rangeDebug;
    private final Counter put;
    private final Counter putDebug;
    private final Counter delete;
    private final Counter deleteDebug;
    private final Counter txn;
    private final Counter txnDebug;
    private final Gauge totalPutSize;
    final Counter events;
    public final Gauge watchStreams;
    public final Counter compactionKeys;
    public final Histogram compactionTotalMs;
    public final Histogram hashSeconds;
    public final Histogram hashRevSeconds;

    public MvccMetrics(MetricRegistry r) {
        this.registry = r;
        range = r.counter("etcd_mvcc_range_total", "Total number of ranges seen by this member.");
        rangeDebug = r.counter("etcd_debugging_mvcc_range_total", "Total number of ranges seen by this member.");
        put = r.counter("etcd_mvcc_put_total", "Total number of puts seen by this member.");
        putDebug = r.counter("etcd_debugging_mvcc_put_total", "Total number of puts seen by this member.");
        delete = r.counter("etcd_mvcc_delete_total", "Total number of deletes seen by this member.");
        deleteDebug = r.counter("etcd_debugging_mvcc_delete_total", "Total number of deletes seen by this member.");
        txn = r.counter("etcd_mvcc_txn_total", "Total number of txns seen by this member.");
        txnDebug = r.counter("etcd_debugging_mvcc_txn_total", "Total number of txns seen by this member.");
        totalPutSize = r.gauge("etcd_debugging_mvcc_total_put_size_in_bytes", "The total size of put kv pairs seen by this member.");
        events = r.counter("etcd_debugging_mvcc_events_total", "Total number of events sent by this member.");
        watchStreams = r.gauge("etcd_debugging_mvcc_watch_stream_total", "Total number of watch streams.");
        compactionKeys = r.counter("etcd_debugging_mvcc_db_compaction_keys_total", "Total number of db keys compacted.");
        compactionTotalMs = r.histogram("etcd_debugging_mvcc_db_compaction_total_duration_milliseconds",
            "Bucketed histogram of db compaction total duration.", Histogram.exponentialBuckets(100, 2, 14));
        hashSeconds = r.histogram("etcd_mvcc_hash_duration_seconds",
            "The latency distribution of storage hash operation.", Histogram.exponentialBuckets(.01, 2, 15));
        hashRevSeconds = r.histogram("etcd_mvcc_hash_rev_duration_seconds",
            "The latency distribution of storage hash by revision operation.", Histogram.exponentialBuckets(.01, 2, 15));
    }

    /**
     * One storage transaction ended (etcd's metricsTxnWrite.End): its range, put and delete calls
     * are added up, and it counts as a txn when it made more than one of them.
     */
    public void txnEnded(int ranges, int puts, int deletes, long putBytes) {
        if (ranges + puts + deletes > 1) {
            txn.inc();
            txnDebug.inc();
        }
        if (ranges > 0) {
            range.add(ranges);
            rangeDebug.add(ranges);
        }
        if (puts > 0) {
            put.add(puts);
            putDebug.add(puts);
            totalPutSize.add(putBytes);
        }
        if (deletes > 0) {
            delete.add(deletes);
            deleteDebug.add(deletes);
        }
    }

    /** A plain Range request: a read transaction with one range. */
    public void rangeRead() {
        range.inc();
        rangeDebug.inc();
    }

    /** {@code n} watch events sent to clients. */
    public void eventsSent(int n) {
        events.add(n);
    }

    /** The watch hub's counts, read at scrape time. */
    public void observeWatchers(LongSupplier watchers, LongSupplier slowWatchers) {
        registry.gauge("etcd_debugging_mvcc_watcher_total", "Total number of watchers.", watchers::getAsLong);
        registry.gauge("etcd_debugging_mvcc_slow_watcher_total", "Total number of unsynced slow watchers.", slowWatchers::getAsLong);
    }

    /**
     * RocksDB's memory by part ({@code vetcd_rocksdb_memory_bytes{part}}; no etcd equivalent: bbolt's
     * pages are the page cache's), read at scrape time from RocksDB properties.
     */
    public void observeRocksMemory(java.util.function.ToLongFunction<String> bytesOf) {
        var family = registry.gaugeVec("vetcd_rocksdb_memory_bytes",
            "RocksDB memory by part: block-cache (includes memtables charged to it), block-cache-pinned, memtables, table-readers.", "part");
        String[] parts = {"block-cache", "block-cache-pinned", "memtables", "table-readers"};
        Gauge[] gauges = new Gauge[parts.length];
        for (int i = 0; i < parts.length; i++) gauges[i] = family.labels(parts[i]);
        registry.beforeScrape(() -> {
            for (int i = 0; i < parts.length; i++) gauges[i].set(bytesOf.applyAsLong(parts[i]));
        });
    }

    /** The store's values read at scrape time (cheap: fields and RocksDB properties, no scans). */
    public void observeStore(LongSupplier currentRevision, LongSupplier compactRevision, LongSupplier keys,
                             LongSupplier dbSize, LongSupplier dbSizeInUse, LongSupplier openReads) {
        registry.gauge("etcd_debugging_mvcc_current_revision", "The current revision of store.", currentRevision::getAsLong);
        registry.gauge("etcd_debugging_mvcc_compact_revision", "The revision of the last compaction in store.", compactRevision::getAsLong);
        registry.gauge("etcd_debugging_mvcc_keys_total", "Total number of keys.", keys::getAsLong);
        registry.gauge("etcd_mvcc_db_total_size_in_bytes",
            "Total size of the underlying database physically allocated in bytes.", dbSize::getAsLong);
        registry.gauge("etcd_debugging_mvcc_db_total_size_in_bytes",
            "Total size of the underlying database physically allocated in bytes.", dbSize::getAsLong);
        registry.gauge("etcd_mvcc_db_total_size_in_use_in_bytes",
            "Total size of the underlying database logically in use in bytes.", dbSizeInUse::getAsLong);
        registry.gauge("etcd_mvcc_db_open_read_transactions", "The number of currently open read transactions", openReads::getAsLong);
    }
}
