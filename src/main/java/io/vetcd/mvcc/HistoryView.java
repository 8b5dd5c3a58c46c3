package io.vetcd.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.vetcd.pb.mvcc.KeyValue;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * A read-only, point-in-time view of the whole store (one RocksDB snapshot): revisions, the kept
 * history and the meta entries all as of the same committed batch, so an export made from it is
 * consistent even while the writer and compaction go on. Must be closed; it holds the store's read
 * guard, so long iterations give up (IllegalStateException) when the store is closed or replaced.
 */
public final class HistoryView implements MetaReader, AutoCloseable {
    /** Keys visited between checks that the store is still usable. */
    private static final int CHECK_EVERY = 1024;

    /** One version of one key, as a visitor sees it. */
    public interface VersionVisitor {
        /**
         * {@code kv} carries every field (key, value, create/mod revision, version, lease); for a
         * tombstone it carries only the key and mod revision.
         */
        void visit(long main, long sub, boolean tombstone, KeyValue kv) throws Exception;
    }

    private final MvccStore store;
    private final Snapshot snapshot;
    private final ReadOptions readOptions;
    private final long currentRevision;
    private final long compactRevision;
    private final long consistentIndex;
    private boolean closed;

    HistoryView(MvccStore store) {
        this.store = store;
        store.enterRead();
        if (store.isRestoring()) {
            store.exitRead();
            throw new StorageException("mvcc store is being replaced by a snapshot from the leader", null);
        }
        this.snapshot = store.db.getSnapshot();
        this.readOptions = new ReadOptions().setSnapshot(snapshot);
        try {
            this.currentRevision = longAt(MvccStore.K_CURRENT_REV, 1);
            this.compactRevision = longAt(MvccStore.K_SCHEDULED_COMPACT, 0);
            this.consistentIndex = longAt(MvccStore.K_CONSISTENT_INDEX, 0);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private long longAt(byte[] key, long dflt) {
        try {
            byte[] v = store.db.get(store.defaultCf, readOptions, key);
            return v == null ? dflt : KeyEncoding.getLong(v, 0);
        } catch (RocksDBException e) {
            throw new StorageException("snapshot read failed", e);
        }
    }

    public long currentRevision() { return currentRevision; }

    /** Compaction requested at this point (reads below it are refused); 0 if never compacted. */
    public long compactRevision() { return compactRevision; }

    public long consistentIndex() { return consistentIndex; }

    /**
     * Visits, in user-key order and newest first per key, every version that survives compaction
     * at {@link #compactRevision()}: all versions above it, plus each key's newest version at or
     * below it unless that one is a tombstone. That is what etcd keeps after compacting, whether
     * or not our physical compaction has got that far.
     */
    public void forEachRetainedVersion(VersionVisitor visitor) throws Exception {
        try (RocksIterator it = store.db.newIterator(store.kvCf, readOptions)) {
            byte[] prefix = null;
            int pl = 0;
            boolean keptCompacted = false;
            ByteString userKey = null;
            int seen = 0;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (++seen % CHECK_EVERY == 0) ensureUsable();
                byte[] k = it.key();
                int kpl = KeyEncoding.prefixLength(k);
                if (prefix == null || kpl != pl || !KeyEncoding.samePrefix(k, prefix, pl)) {
                    prefix = k;
                    pl = kpl;
                    keptCompacted = false;
                    userKey = UnsafeByteOperations.unsafeWrap(KeyEncoding.userKey(k, kpl));
                }
                long main = KeyEncoding.main(k, pl);
                boolean tombstone = KeyEncoding.isTombstone(k);
                if (main <= compactRevision) {
                    if (keptCompacted) continue;
                    keptCompacted = true;
                    if (tombstone) continue;
                }
                long sub = KeyEncoding.sub(k, pl);
                KeyValue kv = tombstone
                    ? KeyValue.newBuilder().setKey(userKey).setModRevision(main).build()
                    : StoredValue.decode(userKey, main, it.value(), false);
                visitor.visit(main, sub, tombstone, kv);
            }
        }
    }

    @Override
    public byte[] getMeta(byte[] key) {
        try {
            return store.db.get(store.metaCf, readOptions, key);
        } catch (RocksDBException e) {
            throw new StorageException("snapshot meta read failed", e);
        }
    }

    @Override
    public List<Map.Entry<byte[], byte[]>> scanMeta(byte[] prefix) {
        List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
        try (RocksIterator it = store.db.newIterator(store.metaCf, readOptions)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (k.length < prefix.length || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) break;
                out.add(new AbstractMap.SimpleImmutableEntry<>(k, it.value()));
            }
        }
        return out;
    }

    private void ensureUsable() {
        if (store.closed || store.isRestoring()) {
            throw new IllegalStateException("mvcc store closed or replaced while exporting it");
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        readOptions.close();
        store.db.releaseSnapshot(snapshot);
        store.exitRead();
    }
}
