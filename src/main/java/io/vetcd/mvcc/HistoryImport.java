package io.vetcd.mvcc;

import io.vetcd.pb.mvcc.KeyValue;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Loads a key space's history revision by revision, exactly as another store recorded it (revisions,
 * create revisions, versions, leases and tombstones are kept, gaps left by compaction included),
 * into a new, empty store. Used once, to take over an etcd data directory; the normal write path
 * cannot do this because it assigns revisions itself.
 *
 * <p>Versions must come in ascending (main, sub) order. Nothing is visible until {@link #finish};
 * reopen the store afterwards so it loads the new revisions.
 */
public final class HistoryImport implements AutoCloseable {
    private static final int BATCH_BYTES = 4 << 20;

    private final MvccStore store;
    private WriteBatch batch = new WriteBatch();
    private long lastMain;
    private long lastSub = -1;
    private long versions;

    public HistoryImport(MvccStore store) {
        if (store.currentRevision() > 1 || store.consistentIndex() != 0) {
            throw new IllegalStateException("history can only be imported into an empty store");
        }
        this.store = store;
    }

    /** One put: {@code kv.mod_revision} is its main revision. */
    public void put(KeyValue kv, long sub) {
        long main = kv.getModRevision();
        order(main, sub);
        byte[] k = kv.getKey().toByteArray();
        add(KeyEncoding.key(k, main, sub, false),
            StoredValue.encodePut(kv.getCreateRevision(), kv.getVersion(), kv.getLease(), kv.getValue()), k, main, sub);
    }

    /** One deletion of {@code key} at (main, sub). */
    public void tombstone(byte[] key, long main, long sub) {
        order(main, sub);
        add(KeyEncoding.key(key, main, sub, true), StoredValue.TOMBSTONE_BYTES, key, main, sub);
    }

    public long versions() { return versions; }

    /**
     * Writes the store's position: its current revision, the compaction etcd scheduled and the one it
     * finished (an unfinished one resumes when the store opens), and the raft index the data is as of.
     */
    public void finish(long currentRevision, long scheduledCompact, long finishedCompact, long consistentIndex) {
        if (currentRevision < lastMain) throw new IllegalArgumentException("current revision " + currentRevision + " < " + lastMain);
        try {
            batch.put(store.defaultCf, MvccStore.K_CURRENT_REV, KeyEncoding.longBytes(Math.max(1, currentRevision)));
            batch.put(store.defaultCf, MvccStore.K_CONSISTENT_INDEX, KeyEncoding.longBytes(consistentIndex));
            if (scheduledCompact > 0) batch.put(store.defaultCf, MvccStore.K_SCHEDULED_COMPACT, KeyEncoding.longBytes(scheduledCompact));
            if (finishedCompact > 0) batch.put(store.defaultCf, MvccStore.K_FINISHED_COMPACT, KeyEncoding.longBytes(finishedCompact));
            flush();
            LiveKeys.rebuild(store); // from the keys family just written: each key's newest version
            store.flush();
        } catch (RocksDBException e) {
            throw new StorageException("history import failed", e);
        }
    }

    private void order(long main, long sub) {
        if (main < 1 || sub < 0 || main < lastMain || (main == lastMain && sub <= lastSub)) {
            throw new IllegalArgumentException("revision " + main + "_" + sub + " not after " + lastMain + "_" + lastSub);
        }
        lastMain = main;
        lastSub = sub;
    }

    private void add(byte[] storageKey, byte[] value, byte[] userKey, long main, long sub) {
        try {
            batch.put(store.kvCf, storageKey, value);
            batch.put(store.keysCf, storageKey, KeyIndex.entry(value));
            batch.put(store.revCf, KeyEncoding.revKey(main, sub), userKey);
            versions++;
            if (batch.getDataSize() >= BATCH_BYTES) flush();
        } catch (RocksDBException e) {
            throw new StorageException("history import failed", e);
        }
    }

    private void flush() throws RocksDBException {
        store.db.write(store.writeOptions, batch);
        batch.close();
        batch = new WriteBatch();
    }

    @Override
    public void close() {
        batch.close();
    }
}
