package io.vetcd.mvcc;

import java.util.Arrays;

/**
 * The newest version of recently written keys, in memory, so a put computes its key's create
 * revision, version and replaced lease without a RocksDB seek (etcd keeps its whole key index in
 * memory; this keeps only a bounded part of it). Exact for every key it holds: the writer updates
 * it on each commit, and whatever replaces the store's contents clears it.
 *
 * <p>Bounded by an estimate of its bytes, in two generations: lookups hit the young table or copy
 * from the old one; when the young one is full, the old one is dropped and the young one becomes
 * old. So it keeps between half and all of its budget of the most recently used keys, and a miss
 * costs one seek (the old path). Writer thread only (the apply thread, or the core after a drain).
 *
 * <p>Each generation is one open-addressing table of parallel arrays, so a key costs the heap one
 * object (its key bytes) instead of four (map node, key wrapper, key bytes, head): with ~100k keys
 * that is ~300k fewer live objects for every full collection to trace and every promotion to copy.
 */
final class KeyHeads {

    /** A key's newest version, or {@link #ABSENT} for a key that has none live (deleted). */
    record Head(long createRevision, long version, long lease) {
        boolean live() {
            return version != 0;
        }
    }

    static final Head ABSENT = new Head(0, 0, 0);

    /** Per key besides its bytes: the key array's header and, at a load of 1/4 to 1/2, two to four slots of 4 + 4 + 3 x 8 bytes. */
    private static final int ENTRY_OVERHEAD = 112;
    private static final int INITIAL_CAPACITY = 1024;

    private final long generationBytes;
    private Table young = new Table(INITIAL_CAPACITY);
    private Table old = new Table(INITIAL_CAPACITY);
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
        int hash = hash(key);
        int slot = young.find(key, hash);
        if (slot >= 0) return young.head(slot);
        slot = old.find(key, hash);
        if (slot < 0) return null;
        // copied, not moved: young is looked up first, and the old table is dropped whole
        Head h = old.head(slot);
        add(key, hash, h.createRevision, h.version, h.lease);
        return h;
    }

    void put(byte[] key, Head head) {
        if (generationBytes <= 0) return;
        add(key, hash(key), head.createRevision, head.version, head.lease);
    }

    private void add(byte[] key, int hash, long createRevision, long version, long lease) {
        if (young.put(key, hash, createRevision, version, lease)) {
            youngBytes += ENTRY_OVERHEAD + key.length;
            if (youngBytes >= generationBytes) {
                old = young;
                young = new Table(Math.max(INITIAL_CAPACITY, old.capacity()));
                youngBytes = 0;
            }
        }
    }

    void clear() {
        young = new Table(INITIAL_CAPACITY);
        old = new Table(INITIAL_CAPACITY);
        youngBytes = 0;
    }

    /** Keys held in either generation (a key copied to the young one counts twice). */
    int size() {
        return young.size + old.size;
    }

    private static int hash(byte[] key) {
        int h = Arrays.hashCode(key);
        return h ^ (h >>> 16);
    }

    /** Linear probing over parallel arrays; never removes (a generation is dropped whole). */
    private static final class Table {
        private byte[][] keys;
        private int[] hashes;
        private long[] createRevisions;
        private long[] versions;
        private long[] leases;
        private int mask;
        private int size;

        Table(int capacity) {
            allocate(capacity);
        }

        private void allocate(int capacity) {
            keys = new byte[capacity][];
            hashes = new int[capacity];
            createRevisions = new long[capacity];
            versions = new long[capacity];
            leases = new long[capacity];
            mask = capacity - 1;
        }

        int capacity() {
            return keys.length;
        }

        int find(byte[] key, int hash) {
            for (int i = hash & mask; ; i = (i + 1) & mask) {
                byte[] k = keys[i];
                if (k == null) return -1;
                if (hashes[i] == hash && Arrays.equals(k, key)) return i;
            }
        }

        Head head(int slot) {
            return versions[slot] == 0 ? ABSENT : new Head(createRevisions[slot], versions[slot], leases[slot]);
        }

        /** Returns whether the key is new to this table. */
        boolean put(byte[] key, int hash, long createRevision, long version, long lease) {
            int i = hash & mask;
            boolean added = false;
            for (; ; i = (i + 1) & mask) {
                byte[] k = keys[i];
                if (k == null) {
                    keys[i] = key;
                    hashes[i] = hash;
                    added = true;
                    break;
                }
                if (hashes[i] == hash && Arrays.equals(k, key)) break;
            }
            createRevisions[i] = createRevision;
            versions[i] = version;
            leases[i] = lease;
            if (added && ++size * 2 > keys.length) grow();
            return added;
        }

        private void grow() {
            byte[][] oldKeys = keys;
            int[] oldHashes = hashes;
            long[] oldCreate = createRevisions;
            long[] oldVersions = versions;
            long[] oldLeases = leases;
            allocate(oldKeys.length * 2);
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldKeys[j] == null) continue;
                int i = oldHashes[j] & mask;
                while (keys[i] != null) i = (i + 1) & mask;
                keys[i] = oldKeys[j];
                hashes[i] = oldHashes[j];
                createRevisions[i] = oldCreate[j];
                versions[i] = oldVersions[j];
                leases[i] = oldLeases[j];
            }
        }
    }
}
