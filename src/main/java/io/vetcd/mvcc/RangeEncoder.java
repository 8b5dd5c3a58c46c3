package io.vetcd.mvcc;

import com.google.protobuf.CodedOutputStream;
import java.nio.ByteBuffer;

/**
 * Second pass of a streamed range: writes the answer's kvs as RangeResponse field 2 (the bytes
 * protobuf would produce for the same KeyValues), chunk by chunk, copying values from RocksDB
 * straight into the caller's buffer. Emits exactly the kvs {@link RangeSizer} counted.
 */
public final class RangeEncoder implements KvFields {
    private static final int TAG_KVS = (2 << 3) | 2;

    private final RangeView view;
    private final StoreCursor cursor;
    private final StoredHeader h = new StoredHeader();
    private final boolean filtered;
    private final boolean keysOnly;
    private long remaining;
    /** The next kv to write, already positioned: its key, mod revision and field size. */
    private byte[] key;
    private long mod;
    private int kvSize;
    private ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);

    public RangeEncoder(RangeView view, RangePlan plan) {
        this.view = view;
        this.cursor = view.cursor();
        this.filtered = view.filtered();
        this.keysOnly = view.request().getKeysOnly();
        this.remaining = plan.kvs();
        advance();
    }

    @Override
    public boolean done() {
        return key == null;
    }

    /** Bytes the next kv takes (0 when done): a chunk must have at least this much room. */
    @Override
    public int nextFieldSize() {
        return key == null ? 0 : fieldSize(kvSize);
    }

    /** Writes whole kvs into {@code out} while the next one fits. */
    @Override
    public void fill(ByteBuffer out) {
        while (key != null && out.remaining() >= fieldSize(kvSize)) {
            write(out);
            advance();
        }
    }

    /** The next kv as a message (for encodings other than protobuf), moving past it. */
    public io.vetcd.pb.mvcc.KeyValue nextKv() {
        io.vetcd.pb.mvcc.KeyValue kv = cursor.kv(keysOnly);
        advance();
        return kv;
    }

    private void advance() {
        key = null;
        if (remaining == 0) {
            return;
        }
        while (cursor.advance()) {
            h.read(cursor);
            long m = cursor.modRevision();
            if (!filtered || view.passes(h.createRevision, m)) {
                key = cursor.userKey();
                mod = m;
                kvSize = kvSize(key.length, h, m, keysOnly);
                remaining--;
                return;
            }
        }
        // Fewer kvs than planned cannot happen on a pinned view; stop rather than loop.
        throw new IllegalStateException("range view changed between passes");
    }

    private void write(ByteBuffer out) {
        out.put((byte) TAG_KVS);
        putVarint(out, kvSize);
        out.put((byte) 0x0A);
        putVarint(out, key.length);
        out.put(key);
        putField(out, 2, h.createRevision);
        putField(out, 3, mod);
        putField(out, 4, h.version);
        if (!keysOnly && h.valueLength > 0) {
            out.put((byte) 0x2A);
            putVarint(out, h.valueLength);
            int stored = h.headerLength + h.valueLength;
            if (scratch.capacity() < stored) {
                scratch = ByteBuffer.allocateDirect(Math.max(stored, scratch.capacity() * 2));
            }
            scratch.clear();
            cursor.storedValue(scratch);
            scratch.position(h.headerLength).limit(stored);
            out.put(scratch);
        }
        putField(out, 6, h.lease);
    }

    /** Encoded size of a KeyValue (proto3: zero fields are left out). */
    static int kvSize(int keyLength, StoredHeader h, long mod, boolean keysOnly) {
        int n = keyLength > 0 ? 1 + CodedOutputStream.computeUInt32SizeNoTag(keyLength) + keyLength : 0;
        n += int64FieldSize(h.createRevision) + int64FieldSize(mod) + int64FieldSize(h.version) + int64FieldSize(h.lease);
        if (!keysOnly && h.valueLength > 0) {
            n += 1 + CodedOutputStream.computeUInt32SizeNoTag(h.valueLength) + h.valueLength;
        }
        return n;
    }

    /** Size of a KeyValue of {@code kvSize} bytes as one element of RangeResponse.kvs. */
    static int fieldSize(int kvSize) {
        return 1 + CodedOutputStream.computeUInt32SizeNoTag(kvSize) + kvSize;
    }

    private static int int64FieldSize(long v) {
        return v == 0 ? 0 : 1 + CodedOutputStream.computeInt64SizeNoTag(v);
    }

    private static void putField(ByteBuffer out, int field, long v) {
        if (v != 0) {
            out.put((byte) (field << 3));
            putVarint(out, v);
        }
    }

    private static void putVarint(ByteBuffer out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }
}
