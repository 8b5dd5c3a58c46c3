package io.vetcd.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.rocksdb.AbstractWriteBatch;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * One write transaction = at most one new main revision. Changes are kept in memory (an overlay
 * keyed by user key, so later operations see earlier ones) and written by {@link #commit} as ONE
 * RocksDB {@code WriteBatch} together with the new current revision and the raft consistent
 * index, which makes applying an entry atomic: after a crash either all of it or none of it is
 * visible, and the consistent index tells the server where to resume.
 *
 * <p>A grouped txn ({@link MvccStore#beginGroupedWrite}) adds its batch to the store's group
 * instead, written with the txns before and after it in one RocksDB write at the end of the applied
 * raft batch; atomicity then holds per group, and the consistent index written last is the group's.
 *
 * <p>Not thread-safe; used by the apply thread only. Committed-state lookups use an iterator
 * created at {@code beginWrite}, i.e. the state at {@code beginRevision} (for a grouped txn, RocksDB
 * merged with the group written so far).
 */
public final class WriteTxn implements AutoCloseable {

    private final MvccStore store;
    private final long beginRev;
    /** Created on the first lookup that needs RocksDB (a put whose key head is in memory needs none). */
    private RocksIterator it;
    private final boolean grouped;
    /** Newest state per key written by this txn; a null value means deleted in this txn. */
    private final TreeMap<byte[], KeyValue> overlay = new TreeMap<>(Arrays::compareUnsigned);
    /** Committed state (at beginRev) of touched keys, for events' prev_kv; null value = absent. */
    private final TreeMap<byte[], KeyValue> before = new TreeMap<>(Arrays::compareUnsigned);
    /** Changes in sub-revision order. */
    private final List<Event> changes = new ArrayList<>();
    /** Meta writes; null value = delete. */
    private final TreeMap<byte[], byte[]> meta = new TreeMap<>(Arrays::compareUnsigned);
    private boolean finished;
    /** etcd's metricsTxnWrite tallies: calls made in the current storage-transaction phase. */
    private int rangeCalls;
    private int putCalls;
    private int deleteCalls;
    private long putBytes;

    /** Whether keys resolved through {@link KeyHeads} (not in {@link #before}) were live at beginRev. */
    private final TreeMap<byte[], Boolean> liveBefore = new TreeMap<>(Arrays::compareUnsigned);

    WriteTxn(MvccStore store, long beginRev, boolean grouped) {
        this.store = store;
        this.beginRev = beginRev;
        this.grouped = grouped;
    }

    /** Current revision when the txn began. */
    public long beginRevision() {
        return beginRev;
    }

    /** Revision this txn's changes get (begin + 1); only meaningful once it has changes. */
    public long writeRevision() {
        return beginRev + 1;
    }

    public boolean hasChanges() {
        return !changes.isEmpty();
    }

    /**
     * etcd txn Range: at revision 0 reads the txn's own view (begin revision, plus this txn's
     * changes if any); other revisions read committed history with the usual checks.
     */
    public RangeResult range(RangeRequest req) {
        checkOpen();
        rangeCalls++;
        long cur = changes.isEmpty() ? beginRev : beginRev + 1;
        long rev = store.checkRevision(req.getRevision(), cur);
        byte[] key = req.getKey().toByteArray();
        byte[] end = RangeExecutor.cursorEnd(req.getRangeEnd());
        return RangeExecutor.execute(cursorAt(key, end, rev), req, rev, cur);
    }

    private RocksIterator iterator() {
        if (it == null) it = store.writerIterator(grouped);
        return it;
    }

    private KeyCursor cursorAt(byte[] key, byte[] end, long rev) {
        KeyCursor base = new StoreCursor(iterator(), key, end, Math.min(rev, beginRev));
        if (rev <= beginRev || overlay.isEmpty()) {
            return base;
        }
        NavigableMap<byte[], KeyValue> sub;
        if (end == null) {
            sub = overlay.subMap(key, true, key, true);
        } else if (end.length == 0) {
            sub = overlay.tailMap(key, true);
        } else if (Arrays.compareUnsigned(key, end) >= 0) {
            sub = Collections.emptyNavigableMap();
        } else {
            sub = overlay.subMap(key, true, end, false);
        }
        return new OverlayCursor(base, sub);
    }

    /** Latest live version of {@code key} in this txn's view, or null. */
    private KeyValue latest(byte[] key) {
        if (overlay.containsKey(key)) {
            return overlay.get(key);
        }
        return committed(key);
    }

    private KeyValue committed(byte[] key) {
        if (before.containsKey(key)) {
            return before.get(key);
        }
        KeyCursor c = new StoreCursor(iterator(), key, null, beginRev);
        KeyValue kv = c.advance() ? c.kv(false) : null;
        before.put(key, kv);
        store.heads.put(key, head(kv));
        return kv;
    }

    private static KeyHeads.Head head(KeyValue kv) {
        return kv == null ? KeyHeads.ABSENT : new KeyHeads.Head(kv.getCreateRevision(), kv.getVersion(), kv.getLease());
    }

    /** The key's newest version at beginRev, from memory when known, else by a seek. */
    private KeyHeads.Head committedHead(byte[] key) {
        if (before.containsKey(key)) return head(before.get(key));
        KeyHeads.Head h = store.heads.get(key);
        if (h == null) return head(committed(key));
        liveBefore.put(key, h.live());
        return h;
    }

    /**
     * Puts {@code key} as {@link #put} does, without reading the version it replaces when the
     * key's newest version is in memory ({@link KeyHeads}): returns only that version's lease (0 if
     * none), and the PUT event carries no prev_kv (the watch hub reads it for the watchers that ask
     * for it, as etcd's watch does when it sends).
     */
    public long putWithoutPrevKv(ByteString key, ByteString value, long lease) {
        checkOpen();
        putCalls++;
        putBytes += key.size() + value.size();
        byte[] k = key.toByteArray();
        long create;
        long version;
        long replacedLease;
        if (overlay.containsKey(k)) {
            KeyValue p = overlay.get(k);
            create = p == null ? 0 : p.getCreateRevision();
            version = p == null ? 0 : p.getVersion();
            replacedLease = p == null ? 0 : p.getLease();
        } else {
            KeyHeads.Head h = committedHead(k);
            create = h.createRevision();
            version = h.version();
            replacedLease = h.lease();
        }
        long rev = beginRev + 1;
        KeyValue kv = KeyValue.newBuilder()
                .setKey(key)
                .setCreateRevision(version == 0 ? rev : create)
                .setModRevision(rev)
                .setVersion(version + 1)
                .setValue(value)
                .setLease(lease)
                .build();
        overlay.put(k, kv);
        changes.add(Event.newBuilder().setType(Event.EventType.PUT).setKv(kv).build());
        return replacedLease;
    }

    /** Puts {@code key}; returns the previous live version (this txn's view) or null. */
    public KeyValue put(ByteString key, ByteString value, long lease) {
        checkOpen();
        putCalls++;
        putBytes += key.size() + value.size();
        byte[] k = key.toByteArray();
        KeyValue prev = latest(k);
        long rev = beginRev + 1;
        KeyValue kv = KeyValue.newBuilder()
                .setKey(key)
                .setCreateRevision(prev == null ? rev : prev.getCreateRevision())
                .setModRevision(rev)
                .setVersion(prev == null ? 1 : prev.getVersion() + 1)
                .setValue(value)
                .setLease(lease)
                .build();
        Event.Builder ev = Event.newBuilder().setType(Event.EventType.PUT).setKv(kv);
        KeyValue eventPrev = committed(k);
        if (eventPrev != null) {
            ev.setPrevKv(eventPrev);
        }
        overlay.put(k, kv);
        changes.add(ev.build());
        return prev;
    }

    public KeyValue put(byte[] key, byte[] value, long lease) {
        return put(ByteString.copyFrom(key), ByteString.copyFrom(value), lease);
    }

    /**
     * Deletes the live keys in {@code [key, end)} (etcd range_end conventions: null/empty = just
     * {@code key}, {@code {0}} = every key {@code >= key}); returns their previous versions.
     */
    public List<KeyValue> deleteRange(byte[] key, byte[] end) {
        checkOpen();
        deleteCalls++;
        byte[] cursorEnd = RangeExecutor.cursorEnd(end == null ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(end));
        KeyCursor c = cursorAt(key, cursorEnd, beginRev + 1);
        List<KeyValue> deleted = new ArrayList<>();
        while (c.advance()) {
            deleted.add(c.kv(false));
        }
        long rev = beginRev + 1;
        for (KeyValue prev : deleted) {
            byte[] k = prev.getKey().toByteArray();
            Event.Builder ev = Event.newBuilder().setType(Event.EventType.DELETE)
                    .setKv(KeyValue.newBuilder().setKey(prev.getKey()).setModRevision(rev));
            KeyValue eventPrev = committed(k);
            if (eventPrev != null) {
                ev.setPrevKv(eventPrev);
            }
            overlay.put(k, null);
            changes.add(ev.build());
        }
        return deleted;
    }

    public List<KeyValue> deleteRange(ByteString key, ByteString end) {
        return deleteRange(key.toByteArray(), end.toByteArray());
    }

    /**
     * Ends a metrics phase without ending the txn: etcd evaluates a Txn's compares in a read
     * transaction and applies its operations in a separate write transaction, and counts the two
     * separately (mvcc txn_total counts only storage transactions with more than one operation).
     */
    public void endMetricsPhase() {
        store.metrics().txnEnded(rangeCalls, putCalls, deleteCalls, putBytes);
        rangeCalls = putCalls = deleteCalls = 0;
        putBytes = 0;
    }

    /** Live keys after this txn minus live keys before it. */
    private long liveKeyDelta() {
        long delta = 0;
        for (Map.Entry<byte[], KeyValue> e : overlay.entrySet()) {
            if (e.getValue() != null) delta++;
            byte[] k = e.getKey();
            if (before.containsKey(k) ? before.get(k) != null : Boolean.TRUE.equals(liveBefore.get(k))) delta--;
        }
        return delta;
    }

    /** Stages a meta write (lease, auth, membership state) in this txn's batch. */
    public void putMeta(byte[] key, byte[] value) {
        checkOpen();
        meta.put(key.clone(), value);
    }

    public void deleteMeta(byte[] key) {
        checkOpen();
        meta.put(key.clone(), null);
    }

    /** Meta value including this txn's staged writes. */
    public byte[] getMeta(byte[] key) {
        checkOpen();
        if (meta.containsKey(key)) {
            return meta.get(key);
        }
        if (grouped && store.pending() != null) {
            try {
                return store.pending().getFromBatchAndDB(store.db, store.metaCf, store.readOptions, key);
            } catch (RocksDBException e) {
                throw new StorageException("meta read failed", e);
            }
        }
        return store.getMeta(key);
    }

    /**
     * Writes everything plus {@code consistentIndex} in one batch (even when there are no
     * changes, so the index always advances), publishes the new revision and then notifies change
     * listeners. Returns the txn's revision, or the unchanged current revision if it had no changes.
     */
    public long commit(long consistentIndex) {
        checkOpen();
        long rev = changes.isEmpty() ? beginRev : beginRev + 1;
        long liveKeys = store.writerLiveKeys() + liveKeyDelta();
        long started = System.nanoTime();
        finish(); // the lookups are done; a grouped txn's iterator must be closed before its batch grows
        AbstractWriteBatch batch = grouped ? store.pendingBatch() : new WriteBatch();
        try {
            stage(batch, rev, consistentIndex, liveKeys);
            if (!grouped) store.db.write(store.writeOptions, (WriteBatch) batch);
        } catch (RocksDBException e) {
            throw new StorageException("commit failed", e);
        } finally {
            if (!grouped) batch.close();
        }
        endMetricsPhase();
        // the writer's view moves on now (a grouped txn's successors read it before the group is written)
        for (Event ev : changes) {
            KeyValue kv = ev.getKv();
            store.heads.put(kv.getKey().toByteArray(), ev.getType() == Event.EventType.PUT
                    ? new KeyHeads.Head(kv.getCreateRevision(), kv.getVersion(), kv.getLease()) : KeyHeads.ABSENT);
        }
        Changes published = changes.isEmpty() ? null : new Changes(rev, List.copyOf(changes));
        if (grouped) {
            store.staged(new MvccStore.GroupedCommit(rev, consistentIndex, liveKeys, published));
        } else {
            store.backendMetrics().commitSeconds.observeSecondsSince(started);
            store.liveKeys(liveKeys);
            store.published(rev, consistentIndex, published);
        }
        return rev;
    }

    private void stage(AbstractWriteBatch batch, long rev, long consistentIndex, long liveKeys) throws RocksDBException {
        for (int sub = 0; sub < changes.size(); sub++) {
            Event ev = changes.get(sub);
            KeyValue kv = ev.getKv();
            byte[] k = kv.getKey().toByteArray();
            boolean put = ev.getType() == Event.EventType.PUT;
            byte[] stored = put
                    ? StoredValue.encodePut(kv.getCreateRevision(), kv.getVersion(), kv.getLease(), kv.getValue())
                    : StoredValue.TOMBSTONE_BYTES;
            byte[] storageKey = KeyEncoding.key(k, rev, sub, !put);
            batch.put(store.kvCf, storageKey, stored);
            batch.put(store.keysCf, storageKey, put
                    ? StoredValue.encodeHeader(kv.getCreateRevision(), kv.getVersion(), kv.getLease())
                    : StoredValue.TOMBSTONE_BYTES);
            batch.put(store.revCf, KeyEncoding.revKey(rev, sub), k);
            if (put) {
                batch.put(store.liveCf, LiveKeys.key(k), KeyEncoding.longBytes(rev));
            } else {
                batch.delete(store.liveCf, LiveKeys.key(k));
            }
        }
        for (Map.Entry<byte[], byte[]> e : meta.entrySet()) {
            if (e.getValue() == null) {
                batch.delete(store.metaCf, e.getKey());
            } else {
                batch.put(store.metaCf, e.getKey(), e.getValue());
            }
        }
        batch.put(store.defaultCf, MvccStore.K_CURRENT_REV, KeyEncoding.longBytes(rev));
        batch.put(store.defaultCf, MvccStore.K_CONSISTENT_INDEX, KeyEncoding.longBytes(consistentIndex));
        if (!overlay.isEmpty()) batch.put(store.defaultCf, MvccStore.K_LIVE_KEYS, KeyEncoding.longBytes(liveKeys));
    }

    /** Discards the txn. */
    public void abort() {
        if (!finished) {
            finish();
        }
    }

    @Override
    public void close() {
        abort();
    }

    private void finish() {
        finished = true;
        if (it != null) it.close();
        store.finishTxn(this);
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("transaction already finished");
        }
    }
}
