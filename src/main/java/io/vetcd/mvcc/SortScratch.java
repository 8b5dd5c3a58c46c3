package io.vetcd.mvcc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A throw-away RocksDB that sorts one big answer on disk, deleted on close. Tuned for a bounded
 * footprint rather than speed: two small memtables, no block cache, no compaction (the reader
 * merges the flushed runs), nothing synced, no WAL. Unlike etcdformat's ScratchSorter (sized for a
 * one-off import) many of these may be open at once, so their memory must stay small.
 */
final class SortScratch implements AutoCloseable {
    static final long MEMTABLE_BYTES = 4L << 20;
    /** What one open scratch may hold in memory: its memtables plus a pending batch. */
    static final long FOOTPRINT_BYTES = 3 * MEMTABLE_BYTES;
    private static final int BATCH_BYTES = 1 << 20;

    private final Path dir;
    private final Options options;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private final RocksDB db;
    private WriteBatch batch = new WriteBatch();

    SortScratch(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.options = new Options().setCreateIfMissing(true).setErrorIfExists(true)
                .setWriteBufferSize(MEMTABLE_BYTES).setMaxWriteBufferNumber(2)
                .setDisableAutoCompactions(true)
                .setLevel0SlowdownWritesTrigger(1 << 20).setLevel0StopWritesTrigger(1 << 20)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setTableFormatConfig(new BlockBasedTableConfig().setNoBlockCache(true).setBlockSize(64 * 1024));
        this.writeOptions = new WriteOptions().setDisableWAL(true).setSync(false);
        this.readOptions = new ReadOptions().setFillCache(false).setReadaheadSize(1 << 20);
        try {
            this.db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            options.close();
            writeOptions.close();
            readOptions.close();
            throw new StorageException("cannot open sort scratch " + dir, e);
        }
    }

    void put(byte[] key, byte[] value) {
        try {
            batch.put(key, value);
            if (batch.getDataSize() >= BATCH_BYTES) {
                flushBatch();
            }
        } catch (RocksDBException e) {
            throw new StorageException("sort scratch write failed", e);
        }
    }

    private void flushBatch() throws RocksDBException {
        db.write(writeOptions, batch);
        batch.close();
        batch = new WriteBatch();
    }

    /** An iterator over everything put so far (the caller positions and closes it). */
    RocksIterator iterator() {
        try {
            flushBatch();
        } catch (RocksDBException e) {
            throw new StorageException("sort scratch write failed", e);
        }
        return db.newIterator(readOptions);
    }

    @Override
    public void close() {
        batch.close();
        db.close();
        writeOptions.close();
        readOptions.close();
        options.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover scratch dir is removed with the next member start's cleanup
        }
    }
}
