package io.vetcd.lease;

import com.google.protobuf.ByteString;
import io.vetcd.mvcc.MetaReader;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.mvcc.WriteTxn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Where leases live on disk: one meta entry per lease, key = prefix + id
 * (big-endian), value = granted TTL, followed by the checkpointed remaining TTL when
 * checkpoints are persisted (etcd's leasepb.Lease RemainingTTL). Written in the batch of the entry that
 * grants or revokes, so the consistent index and the leases never disagree.
 */
public final class LeaseStore {
    static final byte[] PREFIX = "vetcd/lease/".getBytes(StandardCharsets.UTF_8);

    private LeaseStore() {}

    static byte[] key(long id) {
        return ByteBuffer.allocate(PREFIX.length + 8).put(PREFIX).putLong(id).array();
    }

    static void put(WriteTxn txn, long id, long ttlSeconds) {
        txn.putMeta(key(id), ByteBuffer.allocate(8).putLong(ttlSeconds).array());
    }

    /** A lease with its checkpointed remaining TTL (0: none, stored as the plain record). */
    static void put(WriteTxn txn, long id, long ttlSeconds, long remainingSeconds) {
        if (remainingSeconds == 0) {
            put(txn, id, ttlSeconds);
            return;
        }
        txn.putMeta(key(id), ByteBuffer.allocate(16).putLong(ttlSeconds).putLong(remainingSeconds).array());
    }

    /** One persisted lease. */
    public record Stored(long id, long ttlSeconds, long remainingSeconds) { }

    /** Every persisted lease with its checkpointed remaining TTL, in ascending id order. */
    public static void forEachStored(MetaReader store, java.util.function.Consumer<Stored> each) {
        for (Map.Entry<byte[], byte[]> e : store.scanMeta(PREFIX)) {
            ByteBuffer k = ByteBuffer.wrap(e.getKey(), PREFIX.length, 8);
            ByteBuffer v = ByteBuffer.wrap(e.getValue());
            long ttl = v.getLong();
            each.accept(new Stored(k.getLong(), ttl, v.remaining() >= 8 ? v.getLong() : 0));
        }
    }

    static void delete(WriteTxn txn, long id) {
        txn.deleteMeta(key(id));
    }

    /** Calls {@code each(id, ttl)} for every persisted lease, in ascending id order. */
    public static void forEachLease(MetaReader store, BiConsumer<Long, Long> each) {
        for (Map.Entry<byte[], byte[]> e : store.scanMeta(PREFIX)) {
            ByteBuffer k = ByteBuffer.wrap(e.getKey(), PREFIX.length, 8);
            each.accept(k.getLong(), ByteBuffer.wrap(e.getValue()).getLong());
        }
    }

    /**
     * Calls {@code each(lease, key)} for every live key that carries a lease, at one revision: one
     * pass over the key index. (It paged through full ranges before, each page counting the rest of
     * the key space: 9 s of a restart with 100,000 keys.)
     */
    static void forEachLeasedKey(MvccStore store, BiConsumer<Long, ByteString> each) {
        store.forEachKeyWithLease(each);
    }
}
