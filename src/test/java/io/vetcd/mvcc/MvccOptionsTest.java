package io.vetcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RocksDB's memory budget follows --quota-backend-bytes, within bounds, and can be overridden. */
class MvccOptionsTest {

    @AfterEach
    void clear() {
        System.clearProperty("vetcd.rocksdb.cache");
        System.clearProperty("vetcd.rocksdb.writeBuffer");
    }

    @Test
    void budgetIsAThirtySecondOfTheQuotaWithinBounds() {
        assertEquals(64L << 20, MvccOptions.forQuota(0).blockCacheBytes()); // etcd's default 2 GiB
        assertEquals(8L << 20, MvccOptions.forQuota(0).writeBufferBytes());
        assertEquals(256L << 20, MvccOptions.forQuota(8L << 30).blockCacheBytes());
        assertEquals(32L << 20, MvccOptions.forQuota(100L << 20).blockCacheBytes()); // floor
        assertEquals(4L << 20, MvccOptions.forQuota(100L << 20).writeBufferBytes());
        assertEquals(1L << 30, MvccOptions.forQuota(64L << 30).blockCacheBytes()); // cap
        assertEquals(256L << 20, MvccOptions.forQuota(-1).blockCacheBytes()); // no quota: as for 8 GiB
        assertEquals(MvccOptions.forQuota(0), MvccOptions.defaults());
    }

    @Test
    void propertiesOverride() {
        System.setProperty("vetcd.rocksdb.cache", "256m");
        System.setProperty("vetcd.rocksdb.writeBuffer", "24M");
        assertEquals(256L << 20, MvccOptions.forQuota(0).blockCacheBytes());
        assertEquals(24L << 20, MvccOptions.forQuota(0).writeBufferBytes());
        System.setProperty("vetcd.rocksdb.cache", "lots");
        assertThrows(IllegalArgumentException.class, () -> MvccOptions.forQuota(0));
    }
}
