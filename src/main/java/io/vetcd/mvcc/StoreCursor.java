package io.vetcd.mvcc;

import com.google.protobuf.UnsafeByteOperations;
import io.vetcd.pb.mvcc.KeyValue;
import java.util.Arrays;
import org.rocksdb.RocksIterator;

/**
 * {@link KeyCursor} over the key/revision column family at revision {@code rev}.
 *
 * <p>For each user key it positions on the newest version whose main revision is {@code <= rev}
 * (one seek when the newest version is too new), skips the key if that version is a tombstone,
 * and then moves past the remaining (older) versions: a few {@code next()} calls first, because
 * after compaction most keys have one or two versions, and a seek past all versions otherwise.
 */
final class StoreCursor implements KeyCursor {

    /** next() calls tried before seeking over the rest of a key's versions. */
    private static final int MAX_SEQUENTIAL_SKIP = 4;

    private final RocksIterator it;
    private final byte[] startPrefix;
    private final byte[] endPrefix; // exclusive; null = unbounded or single key
    private final boolean single;
    private final long rev;
    private final byte[] typeByte = new byte[1];

    private boolean started;
    private boolean done;
    private byte[] cur;
    private int curPrefixLen;

    /**
     * @param end exclusive end; {@code null} for a single key, empty for "to the end of the key space"
     */
    StoreCursor(RocksIterator it, byte[] key, byte[] end, long rev) {
        this.it = it;
        this.startPrefix = KeyEncoding.prefix(key);
        this.single = end == null;
        this.endPrefix = (end == null || end.length == 0) ? null : KeyEncoding.prefix(end);
        this.rev = rev;
        if (endPrefix != null && Arrays.compareUnsigned(startPrefix, endPrefix) >= 0) {
            done = true;
        }
    }

    @Override
    public boolean advance() {
        if (done) {
            return false;
        }
        if (!started) {
            started = true;
            it.seek(KeyEncoding.seekAtOrBefore(startPrefix, startPrefix.length, rev));
        } else {
            skipVersions(cur, curPrefixLen);
        }
        while (it.isValid()) {
            byte[] k = it.key();
            int pl = KeyEncoding.prefixLength(k);
            if (single) {
                if (pl != startPrefix.length || !KeyEncoding.samePrefix(k, startPrefix, pl)) {
                    break;
                }
            } else if (endPrefix != null && Arrays.compareUnsigned(k, 0, pl, endPrefix, 0, endPrefix.length) >= 0) {
                break;
            }
            if (KeyEncoding.main(k, pl) > rev) {
                it.seek(KeyEncoding.seekAtOrBefore(k, pl, rev));
                continue;
            }
            it.value(typeByte, 0, 1);
            if (typeByte[0] == StoredValue.TOMBSTONE) {
                skipVersions(k, pl);
                continue;
            }
            cur = k;
            curPrefixLen = pl;
            return true;
        }
        done = true;
        cur = null;
        return false;
    }

    /** Leaves the iterator on the first entry of the next user key (or invalid). */
    private void skipVersions(byte[] k, int pl) {
        for (int i = 0; i < MAX_SEQUENTIAL_SKIP; i++) {
            it.next();
            if (!it.isValid()) {
                return;
            }
            byte[] n = it.key();
            if (n.length < pl || !Arrays.equals(n, 0, pl, k, 0, pl)) {
                return;
            }
        }
        it.seek(KeyEncoding.afterAllVersions(k, pl));
    }

    @Override
    public byte[] userKey() {
        return KeyEncoding.userKey(cur, curPrefixLen);
    }

    @Override
    public KeyValue kv(boolean keysOnly) {
        return StoredValue.decode(UnsafeByteOperations.unsafeWrap(userKey()),
                KeyEncoding.main(cur, curPrefixLen), it.value(), keysOnly);
    }
}
