package io.vetcd.mvcc;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.rocksdb.RocksDBException;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Physical deletion for a compaction at revision {@code C}, run on the store's compaction thread.
 *
 * <p>Only keys changed since the previous compaction can hold superseded versions, and the
 * revision-ordered column family lists exactly those. For each such key: find its newest version
 * {@code <= C}, delete every older version, and delete that newest one too if it is a tombstone.
 * Revision-index entries below {@code C} are deleted as they are passed (entries at {@code C} stay so
 * a watch from {@code C} still works).
 *
 * <p>Work is split into batches of about {@code compactionBatchKeys} keys with a short pause in
 * between, so the writer's batches interleave. Readers at revisions {@code >= C} are never
 * affected: they stop at the newest version {@code <= C} and never look at older ones, and a
 * tombstone is deleted only after (or with) all the versions below it, so no older version can
 * resurface. Progress is durable per batch but the job is idempotent, so after a restart it simply
 * runs again from the previous finished compaction.
 */
final class CompactionJob {

    private final MvccStore store;
    private final long compactRev;
    private final MvccOptions opts;

    CompactionJob(MvccStore store, long compactRev, MvccOptions opts) {
        this.store = store;
        this.compactRev = compactRev;
        this.opts = opts;
    }

    /** Returns false if the store was closed before the job finished. */
    /** Key versions removed from the backend (etcd's db_compaction_keys_total counts these). */
    long deletedVersions;

    boolean run() throws RocksDBException, InterruptedException {
        long from = store.finishedCompactRev;
        if (from >= compactRev) {
            return true;
        }
        int batchKeys = Math.max(1, opts.compactionBatchKeys());
        // a compaction reads every version once: through the block cache it would fill the cache with
        // history (128 MiB of RSS at the default quota) and push out what the reads use
        try (ReadOptions noCache = new ReadOptions().setFillCache(false);
             RocksIterator revIt = store.db.newIterator(store.revCf, noCache);
             RocksIterator kvIt = store.db.newIterator(store.kvCf, noCache)) {
            WriteBatch batch = new WriteBatch();
            Set<ByteBuffer> seen = new HashSet<>();
            try {
                for (revIt.seek(KeyEncoding.revKey(from, 0)); revIt.isValid(); revIt.next()) {
                    if (store.closed) {
                        return false; // resumes on next open
                    }
                    byte[] rk = revIt.key();
                    long main = KeyEncoding.revMain(rk);
                    if (main > compactRev) {
                        break;
                    }
                    byte[] userKey = revIt.value();
                    if (seen.add(ByteBuffer.wrap(userKey))) {
                        compactKey(userKey, kvIt, batch, batchKeys * 8);
                    }
                    if (main < compactRev) {
                        batch.delete(store.revCf, rk);
                    }
                    if (seen.size() >= batchKeys) {
                        flush(batch);
                        batch.close();
                        batch = new WriteBatch();
                        seen.clear();
                        kvIt.refresh();
                        if (opts.compactionPauseMillis() > 0) {
                            Thread.sleep(opts.compactionPauseMillis());
                        }
                    }
                }
                batch.put(store.defaultCf, MvccStore.K_FINISHED_COMPACT, KeyEncoding.longBytes(compactRev));
                flush(batch);
                store.finishedCompactRev = compactRev;
                return true;
            } finally {
                batch.close();
            }
        }
    }

    private void compactKey(byte[] userKey, RocksIterator kvIt, WriteBatch batch, int maxOps) throws RocksDBException {
        byte[] prefix = KeyEncoding.prefix(userKey);
        int pl = prefix.length;
        kvIt.seek(KeyEncoding.seekAtOrBefore(prefix, pl, compactRev));
        if (!kvIt.isValid() || !isSameKey(kvIt.key(), prefix)) {
            return; // nothing at or below C any more
        }
        byte[] newest = kvIt.key();
        boolean tombstone = KeyEncoding.isTombstone(newest);
        for (kvIt.next(); kvIt.isValid(); kvIt.next()) {
            byte[] k = kvIt.key();
            if (!isSameKey(k, prefix)) {
                break;
            }
            batch.delete(store.kvCf, k);
            batch.delete(store.keysCf, k);
            deletedVersions++;
            if (batch.count() >= maxOps) {
                // A key with a very long history: flushing older versions early is safe because
                // readers stop at `newest`, which is still present.
                flush(batch);
                batch.clear();
            }
        }
        if (tombstone) {
            batch.delete(store.kvCf, newest);
            batch.delete(store.keysCf, newest);
            deletedVersions++;
        }
    }

    private static boolean isSameKey(byte[] k, byte[] prefix) {
        return k.length == prefix.length + KeyEncoding.SUFFIX_LEN && KeyEncoding.samePrefix(k, prefix, prefix.length);
    }

    private void flush(WriteBatch batch) throws RocksDBException {
        store.db.write(store.writeOptions, batch);
    }
}
