package io.vetcd.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.vetcd.pb.mvcc.KeyValue;

/**
 * Value format of the key/revision column family. The key and mod revision are already in the
 * storage key, so only the rest of the {@link KeyValue} is stored:
 * {@code 00 createRev(varlong) version(varlong) lease(varlong) value...} for a put. A tombstone's
 * value is empty; whether an entry is a tombstone is recorded in the stored key's type byte
 * ({@link KeyEncoding#isTombstone}), so scans never need the value to classify an entry. The
 * leading format byte leaves room for future value layouts.
 */
final class StoredValue {

    static final byte PUT = 0;
    static final byte[] TOMBSTONE_BYTES = {};

    private StoredValue() {
    }

    static byte[] encodePut(long createRev, long version, long lease, ByteString value) {
        // Exact size up front: values can be large, so avoid a second copy.
        byte[] out = new byte[1 + varLongSize(createRev) + varLongSize(version) + varLongSize(lease) + value.size()];
        out[0] = PUT;
        int p = writeVarLong(out, 1, createRev);
        p = writeVarLong(out, p, version);
        p = writeVarLong(out, p, lease);
        value.copyTo(out, p);
        return out;
    }

    /** The header of a stored put without the value: what the key index ({@link KeyIndex}) keeps. */
    static byte[] encodeHeader(long createRev, long version, long lease) {
        byte[] out = new byte[1 + varLongSize(createRev) + varLongSize(version) + varLongSize(lease)];
        out[0] = PUT;
        int p = writeVarLong(out, 1, createRev);
        p = writeVarLong(out, p, version);
        writeVarLong(out, p, lease);
        return out;
    }

    /**
     * Builds the KeyValue without copying the value: {@code stored} is a fresh array owned by the
     * caller (RocksDB hands out copies), so wrapping a slice of it is safe.
     */
    static KeyValue decode(ByteString key, long modRev, byte[] stored, boolean keysOnly) {
        long[] pos = {1};
        long create = readVarLong(stored, pos);
        long version = readVarLong(stored, pos);
        long lease = readVarLong(stored, pos);
        KeyValue.Builder b = KeyValue.newBuilder()
                .setKey(key)
                .setCreateRevision(create)
                .setModRevision(modRev)
                .setVersion(version)
                .setLease(lease);
        int off = (int) pos[0];
        if (!keysOnly && off < stored.length) {
            b.setValue(UnsafeByteOperations.unsafeWrap(stored, off, stored.length - off));
        }
        return b.build();
    }

    private static int varLongSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }

    private static int writeVarLong(byte[] b, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    private static long readVarLong(byte[] b, long[] pos) {
        int p = (int) pos[0];
        long v = 0;
        int shift = 0;
        while (true) {
            byte x = b[p++];
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                break;
            }
            shift += 7;
        }
        pos[0] = p;
        return v;
    }
}
