package io.vetcd.etcdformat;

import io.vetcd.mvcc.RocksNativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Sorts key/value pairs that arrive out of order without holding them in memory: a throw-away
 * RocksDB in a scratch directory (no WAL, nothing synced), deleted on close. Used to turn the MVCC
 * store's key-ordered history into etcd's revision order.
 */
final class ScratchSorter implements AutoCloseable {
    static {
        RocksNativeLibrary.load();
    }

    private static final int BATCH_BYTES = 4 << 20;

    interface Consumer {
        void accept(byte[] key, byte[] value) throws IOException;
    }

    private final Path dir;
    private final Options options;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private WriteBatch batch = new WriteBatch();
    private long count;

    ScratchSorter(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        this.options = new Options().setCreateIfMissing(true).setErrorIfExists(true);
        this.writeOptions = new WriteOptions().setDisableWAL(true).setSync(false);
        try {
            this.db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            options.close();
            writeOptions.close();
            throw new IOException("cannot open scratch store " + dir, e);
        }
    }

    void add(byte[] key, byte[] value) throws IOException {
        try {
            batch.put(key, value);
            count++;
            if (batch.getDataSize() >= BATCH_BYTES) {
                db.write(writeOptions, batch);
                batch.close();
                batch = new WriteBatch();
            }
        } catch (RocksDBException e) {
            throw new IOException("scratch store write failed", e);
        }
    }

    long count() {
        return count;
    }

    /** Hands every pair to {@code consumer} in ascending key order. */
    void forEachSorted(Consumer consumer) throws IOException {
        try {
            db.write(writeOptions, batch);
            batch.clear();
        } catch (RocksDBException e) {
            throw new IOException("scratch store write failed", e);
        }
        try (ReadOptions ro = new ReadOptions().setFillCache(false); RocksIterator it = db.newIterator(ro)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                consumer.accept(it.key(), it.value());
            }
            it.status();
        } catch (RocksDBException e) {
            throw new IOException("scratch store read failed", e);
        }
    }

    @Override
    public void close() throws IOException {
        batch.close();
        db.close();
        writeOptions.close();
        options.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
