package io.vetcd.mvcc;

/**
 * Tuning knobs. Defaults suit a member with a few GB of data.
 *
 * @param blockCacheBytes       shared RocksDB block cache
 * @param writeBufferBytes      memtable size per column family
 * @param compactionBatchKeys   user keys processed per compaction WriteBatch (bounds the time a
 *                              batch holds RocksDB's write path)
 * @param compactionPauseMillis sleep between compaction batches so foreground writes win
 */
public record MvccOptions(long blockCacheBytes, long writeBufferBytes, int compactionBatchKeys,
                          long compactionPauseMillis) {

    public static MvccOptions defaults() {
        return new MvccOptions(128L << 20, 64L << 20, 1000, 1);
    }

    public MvccOptions withCompactionBatchKeys(int keys) {
        return new MvccOptions(blockCacheBytes, writeBufferBytes, keys, compactionPauseMillis);
    }

    public MvccOptions withCompactionPauseMillis(long millis) {
        return new MvccOptions(blockCacheBytes, writeBufferBytes, compactionBatchKeys, millis);
    }
}
