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
    /** Writes the kvs as the JSON gateway prints them instead of protobuf (see {@link #json}). */
    private final boolean json;
    private boolean first = true;

    public RangeEncoder(RangeView view, RangePlan plan) {
        this(view, plan, false);
    }

    /**
     * {@code json}: each kv as protobuf's JSON printer writes a KeyValue with proto field names
     * (int64 as quoted decimals, bytes as padded base64, defaults left out), comma-separated, so a
     * JSON answer costs no per-kv garbage either.
     */
    public RangeEncoder(RangeView view, RangePlan plan, boolean json) {
        this.json = json;
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
        if (key == null) {
            return 0;
        }
        return json ? jsonSize() : fieldSize(kvSize);
    }

    /** Writes whole kvs into {@code out} while the next one fits. */
    @Override
    public void fill(ByteBuffer out) {
        while (key != null && out.remaining() >= nextFieldSize()) {
            if (json) {
                writeJson(out);
            } else {
                write(out);
            }
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
            ByteBuffer scratch = DirectScratch.get(stored);
            cursor.storedValue(scratch);
            scratch.position(h.headerLength).limit(stored);
            out.put(scratch);
        }
        putField(out, 6, h.lease);
    }

    private static final byte[] KEY = ascii("\"key\":\"");
    private static final byte[] CREATE = ascii("\"create_revision\":\"");
    private static final byte[] MOD = ascii("\"mod_revision\":\"");
    private static final byte[] VERSION = ascii("\"version\":\"");
    private static final byte[] VALUE = ascii("\"value\":\"");
    private static final byte[] LEASE = ascii("\"lease\":\"");

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private boolean hasValue() {
        return !keysOnly && h.valueLength > 0;
    }

    private int jsonSize() {
        int n = (first ? 0 : 1) + 2;
        int fields = 0;
        if (key.length > 0) {
            n += KEY.length + b64Length(key.length) + 1;
            fields++;
        }
        for (long[] f : new long[][] {{CREATE.length, h.createRevision}, {MOD.length, mod}, {VERSION.length, h.version}}) {
            if (f[1] != 0) {
                n += (int) f[0] + Long.toString(f[1]).length() + 1;
                fields++;
            }
        }
        if (hasValue()) {
            n += VALUE.length + b64Length(h.valueLength) + 1;
            fields++;
        }
        if (h.lease != 0) {
            n += LEASE.length + Long.toString(h.lease).length() + 1;
            fields++;
        }
        return n + Math.max(0, fields - 1);
    }

    private static int b64Length(int n) {
        return (n + 2) / 3 * 4;
    }

    private void writeJson(ByteBuffer out) {
        if (!first) {
            out.put((byte) ',');
        }
        first = false;
        out.put((byte) '{');
        boolean any = false;
        if (key.length > 0) {
            any = jsonBytes(out, any, KEY, ByteBuffer.wrap(key));
        }
        any = jsonNumber(out, any, CREATE, h.createRevision);
        any = jsonNumber(out, any, MOD, mod);
        any = jsonNumber(out, any, VERSION, h.version);
        if (hasValue()) {
            int stored = h.headerLength + h.valueLength;
            ByteBuffer scratch = DirectScratch.get(stored);
            cursor.storedValue(scratch);
            scratch.position(h.headerLength).limit(stored);
            any = jsonBytes(out, any, VALUE, scratch);
        }
        jsonNumber(out, any, LEASE, h.lease);
        out.put((byte) '}');
    }

    private boolean jsonNumber(ByteBuffer out, boolean any, byte[] name, long v) {
        if (v == 0) {
            return any;
        }
        if (any) {
            out.put((byte) ',');
        }
        out.put(name).put(ascii(Long.toString(v))).put((byte) '"');
        return true;
    }

    private static final byte[] B64 = ascii("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    /** {@code src}'s remaining bytes as padded standard base64 (what the JSON printer writes for bytes). */
    private static boolean jsonBytes(ByteBuffer out, boolean any, byte[] name, ByteBuffer src) {
        if (any) {
            out.put((byte) ',');
        }
        out.put(name);
        while (src.remaining() >= 3) {
            int b = (src.get() & 0xFF) << 16 | (src.get() & 0xFF) << 8 | (src.get() & 0xFF);
            out.put(B64[b >>> 18]).put(B64[(b >>> 12) & 63]).put(B64[(b >>> 6) & 63]).put(B64[b & 63]);
        }
        if (src.remaining() == 2) {
            int b = (src.get() & 0xFF) << 16 | (src.get() & 0xFF) << 8;
            out.put(B64[b >>> 18]).put(B64[(b >>> 12) & 63]).put(B64[(b >>> 6) & 63]).put((byte) '=');
        } else if (src.remaining() == 1) {
            int b = (src.get() & 0xFF) << 16;
            out.put(B64[b >>> 18]).put(B64[(b >>> 12) & 63]).put((byte) '=').put((byte) '=');
        }
        out.put((byte) '"');
        return true;
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
