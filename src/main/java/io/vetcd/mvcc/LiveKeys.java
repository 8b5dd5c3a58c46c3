package io.vetcd.mvcc;

import java.util.Arrays;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * The live-key index: the {@code live} column family holds one entry per key that has a live
 * version at the current revision (key = {@link KeyEncoding#prefix} of the user key, value = the
 * newest version's mod revision, 8 bytes), and nothing for deleted keys. So the count of a range at
 * the current revision is one iterator step per live key, whatever the history, as etcd counts its
 * in-memory treeIndex; the {@code keys} family ({@link KeyIndex}) takes one step per version.
 *
 * <p>Exact only at the revision it was written with: a reader takes a RocksDB snapshot, reads the
 * store's {@code current_revision} in it, and uses this index only when that is the revision it
 * reads at (otherwise, a historic read or a write that landed in between, it walks {@code keys}).
 * Kept in step by every writer of {@code kv} in the same batch ({@link WriteTxn#commit}); rebuilt
 * from {@code keys} when a store without it is opened, after {@link HistoryImport} and after a
 * snapshot from the leader is installed. Compaction never changes it: it removes only versions that
 * are not a key's newest, and tombstones, which this index does not hold.
 */
final class LiveKeys {
    private LiveKeys() {
    }

    /** The index's key for a user key. */
    static byte[] key(byte[] userKey) {
        return KeyEncoding.prefix(userKey);
    }

    /**
     * Live keys in {@code [key, end)} as of the snapshot {@code ro} reads at; {@code end} null for the
     * single key, empty for "to the end of the key space" (as {@link StoreCursor}).
     */
    static long count(MvccStore s, ReadOptions ro, byte[] key, byte[] end) throws RocksDBException {
        byte[] start = KeyEncoding.prefix(key);
        if (end == null) {
            return s.db.get(s.liveCf, ro, start) == null ? 0 : 1;
        }
        byte[] upper = end.length == 0 ? null : KeyEncoding.prefix(end);
        if (upper != null && Arrays.compareUnsigned(start, upper) >= 0) {
            return 0;
        }
        // The bound makes isValid() false at the end, so a step is two JNI calls and no key copy.
        try (Slice bound = upper == null ? null : new Slice(upper);
             ReadOptions bounded = new ReadOptions(ro)) {
            if (bound != null) bounded.setIterateUpperBound(bound);
            long n = 0;
            try (RocksIterator it = s.db.newIterator(s.liveCf, bounded)) {
                for (it.seek(start); it.isValid(); it.next()) {
                    n++;
                }
                it.status();
            }
            return n;
        }
    }

    /** Replaces the index with one built from the {@code keys} family (its newest version per key), then marks it built. */
    static void rebuild(MvccStore s) throws RocksDBException {
        try (RocksIterator it = s.db.newIterator(s.liveCf)) {
            s.writeInBatches(it, (wb, i) -> wb.delete(s.liveCf, i.key()));
        }
        try (ReadOptions ro = new ReadOptions().setFillCache(false); RocksIterator it = s.db.newIterator(s.keysCf, ro)) {
            byte[][] last = {null};
            s.writeInBatches(it, (wb, i) -> {
                byte[] k = i.key();
                int pl = KeyEncoding.prefixLength(k);
                if (last[0] != null && last[0].length == pl && Arrays.equals(last[0], 0, pl, k, 0, pl)) {
                    return; // an older version of the key just seen
                }
                byte[] prefix = Arrays.copyOf(k, pl);
                last[0] = prefix;
                if (!KeyEncoding.isTombstone(k)) {
                    wb.put(s.liveCf, prefix, KeyEncoding.longBytes(KeyEncoding.main(k, pl)));
                }
            });
        }
        s.db.put(s.defaultCf, MvccStore.K_LIVE_INDEXED, new byte[] {1});
        s.counts.reset(s.currentRevision()); // counts kept in memory came from the index just replaced
    }
}
