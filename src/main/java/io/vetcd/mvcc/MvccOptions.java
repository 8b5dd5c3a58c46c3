package io.vetcd.mvcc;

/**
 * Tuning knobs. {@link #forQuota} sizes RocksDB's memory from the backend quota; {@link #defaults}
 * is that sizing for etcd's default quota (2 GiB).
 *
 * @param blockCacheBytes       shared RocksDB block cache; memtables are charged to it too, so this
 *                              is RocksDB's whole memory budget (index/filter blocks included)
 * @param writeBufferBytes      memtable size of the kv column family (the others get a quarter)
 * @param compactionBatchKeys   user keys processed per compaction WriteBatch (bounds the time a
 *                              batch holds RocksDB's write path)
 * @param compactionPauseMillis sleep between compaction batches so foreground writes win
 */
public record MvccOptions(long blockCacheBytes, long writeBufferBytes, int compactionBatchKeys,
                          long compactionPauseMillis) {

    /** etcd's default --quota-backend-bytes. */
    static final long DEFAULT_QUOTA = 2L << 30;

    public static MvccOptions defaults() {
        return forQuota(0);
    }

    /**
     * RocksDB memory sized from {@code --quota-backend-bytes} (0: etcd's default 2 GiB; negative:
     * no quota, sized as for 8 GiB): a budget of quota/32 between 32 MiB and 1 GiB (64 MiB at the
     * default quota), at most half of it in memtables, the kv memtable one eighth of it (at least 4 MiB). The budget is a cap, not a
     * reservation: a store with less data than that uses less. Overrides, in bytes with an optional
     * k/m/g suffix: {@code -Dvetcd.rocksdb.cache=} and {@code -Dvetcd.rocksdb.writeBuffer=}.
     *
     * <p>Why quota/32 and not more: the block cache holds uncompressed copies of blocks the OS page
     * cache already holds compressed (and etcd's bbolt is read through the page cache alone), and once
     * a put load has seeked over more data than the budget, all of it is resident: at quota/16 the
     * cache held 108-114 MiB after 100k fill keys + 200k puts over 100k more keys (README, "Memory").
     */
    public static MvccOptions forQuota(long quotaBackendBytes) {
        long quota = quotaBackendBytes == 0 ? DEFAULT_QUOTA : quotaBackendBytes < 0 ? 8L << 30 : quotaBackendBytes;
        long budget = Math.max(32L << 20, Math.min(1L << 30, quota / 32));
        long cache = bytesProperty("vetcd.rocksdb.cache", budget);
        long writeBuffer = bytesProperty("vetcd.rocksdb.writeBuffer", Math.max(4L << 20, cache / 8));
        return new MvccOptions(cache, writeBuffer, 1000, 1);
    }

    public static long bytesProperty(String name, long dflt) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        v = v.trim().toLowerCase(java.util.Locale.ROOT);
        long mult = switch (v.charAt(v.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        String digits = mult == 1 ? v : v.substring(0, v.length() - 1);
        try {
            return Long.parseLong(digits) * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + "=" + v + ": expected bytes, e.g. 64m", e);
        }
    }

    public MvccOptions withCompactionBatchKeys(int keys) {
        return new MvccOptions(blockCacheBytes, writeBufferBytes, keys, compactionPauseMillis);
    }

    public MvccOptions withCompactionPauseMillis(long millis) {
        return new MvccOptions(blockCacheBytes, writeBufferBytes, compactionBatchKeys, millis);
    }
}
