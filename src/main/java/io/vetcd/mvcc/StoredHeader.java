package io.vetcd.mvcc;

import java.nio.ByteBuffer;

/**
 * The fixed part of a stored put ({@link StoredValue}: format byte, create revision, version,
 * lease) read through a small reusable direct buffer, so sizing a range never copies its values
 * into the heap: RocksDB reports the full stored length while copying only the first bytes.
 */
final class StoredHeader {
    /** Format byte plus three varlongs of at most 10 bytes each. */
    private static final int MAX_LEN = 31;

    /** Per thread, not per header: a direct buffer per range answer costs a Cleaner and native memory each. */
    private static final ThreadLocal<ByteBuffer> BUF = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(MAX_LEN + 1));
    private ByteBuffer buf;
    long createRevision;
    long version;
    long lease;
    /** Bytes of the stored value before the user's value. */
    int headerLength;
    /** Length of the user's value. */
    int valueLength;

    /** Reads the header of the cursor's current entry. */
    void read(StoreCursor cursor) {
        buf = BUF.get();
        buf.clear();
        int stored = cursor.storedValue(buf);
        int p = 1;
        long[] out = new long[1];
        p = varLong(p, out);
        createRevision = out[0];
        p = varLong(p, out);
        version = out[0];
        p = varLong(p, out);
        lease = out[0];
        headerLength = p;
        valueLength = stored - p;
    }

    private int varLong(int p, long[] out) {
        long v = 0;
        int shift = 0;
        while (true) {
            byte x = buf.get(p++);
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                break;
            }
            shift += 7;
        }
        out[0] = v;
        return p;
    }
}
