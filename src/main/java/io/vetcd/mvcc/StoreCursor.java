package io.vetcd.mvcc;

import com.google.protobuf.UnsafeByteOperations;
import io.vetcd.pb.mvcc.KeyValue;
import java.util.Arrays;
import org.rocksdb.RocksIterator;

/**
 * {@link KeyCursor} over the key/revision column family at revision {@code rev}.
 *
 * <p>For each user key it positions on the newest version whose main revision is {@code <= rev}
 * (one seek when the newest version is too new), skips the key if that version is a tombstone
 * (visible in the stored key's type byte, so no value is copied), and then moves past the
 * remaining older versions: a few {@code next()} calls first, because after compaction most keys
 * have one or two versions, and a seek past all versions otherwise. Each iterator position's key is
 * fetched through JNI exactly once ({@link #pos}).
 */
final class StoreCursor implements KeyCursor {

    /** next() calls tried before seeking over the rest of a key's versions. */
    private static final int MAX_SEQUENTIAL_SKIP = 4;

    private final RocksIterator it;
    private final byte[] startPrefix;
    private final byte[] endPrefix; // exclusive; null = unbounded or single key
    private final boolean single;
    private final long rev;

    private boolean started;
    private boolean done;
    /** Key at the iterator's position, null when invalid. */
    private byte[] pos;
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

    private void seek(byte[] target) {
        it.seek(target);
        pos = it.isValid() ? it.key() : null;
    }

    private void next() {
        it.next();
        pos = it.isValid() ? it.key() : null;
    }

    @Override
    public boolean advance() {
        if (done) {
            return false;
        }
        if (!started) {
            started = true;
            seek(KeyEncoding.seekAtOrBefore(startPrefix, startPrefix.length, rev));
        } else if (single) {
            return finish(); // a single-key range has at most one result; spare the skip
        } else {
            skipVersions(cur, curPrefixLen);
        }
        while (pos != null) {
            byte[] k = pos;
            int pl = KeyEncoding.prefixLength(k);
            if (single) {
                if (pl != startPrefix.length || !KeyEncoding.samePrefix(k, startPrefix, pl)) {
                    break;
                }
            } else if (endPrefix != null && Arrays.compareUnsigned(k, 0, pl, endPrefix, 0, endPrefix.length) >= 0) {
                break;
            }
            if (KeyEncoding.main(k, pl) > rev) {
                seek(KeyEncoding.seekAtOrBefore(k, pl, rev));
                continue;
            }
            if (KeyEncoding.isTombstone(k)) {
                skipVersions(k, pl);
                continue;
            }
            cur = k;
            curPrefixLen = pl;
            return true;
        }
        return finish();
    }

    private boolean finish() {
        done = true;
        cur = null;
        return false;
    }

    /** Leaves the iterator on the first entry of the next user key (or invalid). */
    private void skipVersions(byte[] k, int pl) {
        for (int i = 0; i < MAX_SEQUENTIAL_SKIP; i++) {
            next();
            if (pos == null || pos.length < pl || !Arrays.equals(pos, 0, pl, k, 0, pl)) {
                return;
            }
        }
        seek(KeyEncoding.afterAllVersions(k, pl));
    }

    @Override
    public byte[] userKey() {
        return KeyEncoding.userKey(cur, curPrefixLen);
    }

    /** Mod revision of the current entry (it is in the stored key). */
    long modRevision() {
        return KeyEncoding.main(cur, curPrefixLen);
    }

    /**
     * Copies the current entry's stored value (or its first {@code into.remaining()} bytes) into
     * the direct buffer {@code into} at its position, without allocating; returns the stored length.
     */
    int storedValue(java.nio.ByteBuffer into) {
        return it.value(into);
    }

    /** Valid only right after {@link #advance()} returned true (the iterator is still on it). */
    @Override
    public KeyValue kv(boolean keysOnly) {
        return StoredValue.decode(UnsafeByteOperations.unsafeWrap(userKey()),
                KeyEncoding.main(cur, curPrefixLen), it.value(), keysOnly);
    }
}
