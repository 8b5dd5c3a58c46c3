package io.vetcd.mvcc;

import io.vetcd.pb.etcdserver.RangeRequest;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The key index: the {@code keys} column family holds exactly the keys of the {@code kv} column
 * family (user key, revision, tombstone flag), each with the stored value's header only
 * ({@link StoredValue}: format byte, create revision, version, lease) and never the user's value.
 * A count-only range and a keys-only range scan it instead of {@code kv}, so they read a few dozen
 * bytes per version instead of the values, as etcd answers them from its in-memory treeIndex.
 *
 * <p>Kept in step by every writer of {@code kv} in the same {@code WriteBatch}
 * ({@link WriteTxn#commit}, {@link CompactionJob}, {@link HistoryImport}); built once from
 * {@code kv} when a store written before it existed is opened, and after a snapshot from the
 * leader is installed ({@link MvccStore#loadFrom}), whatever that snapshot holds.
 */
final class KeyIndex {
    private KeyIndex() {
    }

    /**
     * True when the answer needs no user values: a count-only range, or a keys-only range not
     * sorted by value (sorting by value needs the values even though they are then dropped).
     */
    static boolean serves(RangeRequest r) {
        if (r.getCountOnly()) {
            return true;
        }
        return r.getKeysOnly() && r.getSortTarget() != RangeRequest.SortTarget.VALUE;
    }

    /** The key index's value for a stored {@code kv} value: its header (empty for a tombstone). */
    static byte[] entry(byte[] stored) {
        if (stored.length == 0) {
            return stored;
        }
        int p = 1;
        for (int field = 0; field < 3; field++) {
            while ((stored[p++] & 0x80) != 0) {
                // continuation bytes of a varlong
            }
        }
        return p == stored.length ? stored : java.util.Arrays.copyOf(stored, p);
    }

    /** Replaces the key index with one built from the {@code kv} column family, then marks it built. */
    static void rebuild(MvccStore s) throws RocksDBException {
        try (RocksIterator it = s.db.newIterator(s.keysCf)) {
            s.writeInBatches(it, (wb, i) -> wb.delete(s.keysCf, i.key()));
        }
        try (ReadOptions ro = new ReadOptions().setFillCache(false); RocksIterator it = s.db.newIterator(s.kvCf, ro)) {
            s.writeInBatches(it, (wb, i) -> wb.put(s.keysCf, i.key(), entry(i.value())));
        }
        s.db.put(s.defaultCf, MvccStore.K_KEYS_INDEXED, new byte[] {1});
    }
}
