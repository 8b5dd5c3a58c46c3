package io.vetcd.mvcc;

import java.util.Arrays;
import java.util.HashMap;

/**
 * The newest version of recently written keys, in memory, so a put computes its key's create
 * revision, version and replaced lease without a RocksDB seek (etcd keeps its whole key index in
 * memory; this keeps only a bounded part of it). Exact for every key it holds: the writer updates
 * it on each commit, and whatever replaces the store's contents clears it.
 *
 * <p>Bounded by an estimate of its bytes, in two generations: lookups hit the young map or promote
 * from the old one; when the young one is full, the old one is dropped and the young one becomes
 * old. So it keeps between half and all of its budget of the most recently used keys, and a miss
 * costs one seek (the old path). Writer thread only (the apply thread, or the core after a drain).
 */
final class KeyHeads {

    /** A key's newest version, or {@link #ABSENT} for a key that has none live (deleted). */
    record Head(long createRevision, long version, long lease) {
        boolean live() {
            return this != ABSENT;
        }
    }

    static final Head ABSENT = new Head(0, 0, 0);

    /** Map node, key wrapper, key array and head objects, roughly, on a 64-bit JVM with compressed oops. */
    private static final int ENTRY_OVERHEAD = 150;

    private final long generationBytes;
    private HashMap<Key, Head> young = new HashMap<>();
    private HashMap<Key, Head> old = new HashMap<>();
    private long youngBytes;

    /** {@code budgetBytes}: both generations together, estimated; 0 keeps nothing. */
    KeyHeads(long budgetBytes) {
        this.generationBytes = budgetBytes / 2;
    }

    /** From {@code -Dvetcd.mvcc.key-heads-bytes} (default 32 MiB, k/m/g suffixes as MvccOptions). */
    static KeyHeads fromProperty() {
        return new KeyHeads(MvccOptions.bytesProperty("vetcd.mvcc.key-heads-bytes", 32L << 20));
    }

    /** The key's newest version if known ({@link #ABSENT} if it has none), else null. */
    Head get(byte[] key) {
        Key k = new Key(key);
        Head h = young.get(k);
        if (h != null) return h;
        h = old.remove(k);
        if (h != null) add(k, h);
        return h;
    }

    void put(byte[] key, Head head) {
        if (generationBytes <= 0) return;
        add(new Key(key), head);
    }

    private void add(Key k, Head h) {
        if (young.put(k, h) == null) {
            youngBytes += ENTRY_OVERHEAD + k.bytes.length;
            if (youngBytes >= generationBytes) {
                old = young;
                young = new HashMap<>();
                youngBytes = 0;
            }
        }
    }

    void clear() {
        young = new HashMap<>();
        old = new HashMap<>();
        youngBytes = 0;
    }

    int size() {
        return young.size() + old.size();
    }

    /** A byte[] with value equality, hashed once. */
    private static final class Key {
        final byte[] bytes;
        final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
