package io.vetcd.mvcc;

import java.util.Arrays;

/**
 * Order-preserving encoding of {@code (userKey, revision)} pairs into RocksDB keys.
 *
 * <p>Layout: {@code escape(userKey) 0x00 0x01 invMain(8, big-endian) invSub(8, big-endian) type(1)}, where
 * {@code escape} writes every 0x00 byte as {@code 0x00 0xFF} and every other byte unchanged, and
 * {@code inv(x) = Long.MAX_VALUE - x} and {@code type} is 0 for a put, 1 for a tombstone.
 *
 * <p>Why this shape:
 * <ul>
 *   <li>The escaped key plus terminator (the "prefix") is prefix-free and sorts exactly like the raw
 *   user keys under unsigned byte comparison. At the first position where two prefixes differ,
 *   either both hold ordinary bytes (same order as the raw keys), or one key has ended: its
 *   terminator {@code 00 01} is smaller than any non-zero byte of the longer key and smaller than
 *   the longer key's escaped zero {@code 00 FF}. So a key sorts before every key it is a prefix
 *   of, and the revision suffix never affects the order between different user keys.</li>
 *   <li>Revisions are stored inverted so that, for one user key, the newest version comes first. A
 *   read at revision R seeks to {@code prefix + inv(R, MAX)} and lands directly on the newest
 *   version with main revision {@code <= R}; reads at the current revision therefore touch one
 *   entry per key.</li>
 * </ul>
 */
public final class KeyEncoding {

    /** Bytes after the prefix in a stored key: inverted (main, sub) and the type byte. */
    public static final int SUFFIX_LEN = 17;
    /** Bytes of the inverted (main, sub) alone, as used in seek targets. */
    public static final int REV_SUFFIX_LEN = 16;
    static final byte TYPE_PUT = 0;
    static final byte TYPE_TOMBSTONE = 1;

    private KeyEncoding() {
    }

    /** Escaped user key followed by the {@code 00 01} terminator. */
    public static byte[] prefix(byte[] userKey) {
        int zeros = 0;
        for (byte b : userKey) {
            if (b == 0) {
                zeros++;
            }
        }
        byte[] out = new byte[userKey.length + zeros + 2];
        int p = writeEscaped(userKey, out);
        out[p] = 0;
        out[p + 1] = 1;
        return out;
    }

    private static int writeEscaped(byte[] userKey, byte[] out) {
        int p = 0;
        for (byte b : userKey) {
            out[p++] = b;
            if (b == 0) {
                out[p++] = (byte) 0xFF;
            }
        }
        return p;
    }

    /** Full storage key of one version of {@code userKey}. */
    public static byte[] key(byte[] userKey, long main, long sub, boolean tombstone) {
        byte[] prefix = prefix(userKey);
        byte[] out = Arrays.copyOf(prefix, prefix.length + SUFFIX_LEN);
        putLong(out, prefix.length, Long.MAX_VALUE - main);
        putLong(out, prefix.length + 8, Long.MAX_VALUE - sub);
        out[out.length - 1] = tombstone ? TYPE_TOMBSTONE : TYPE_PUT;
        return out;
    }

    /** True if the stored key {@code enc} is a tombstone. */
    public static boolean isTombstone(byte[] enc) {
        return enc[enc.length - 1] == TYPE_TOMBSTONE;
    }

    /**
     * Seek target for exactly version (main, sub) of the key whose prefix is the first
     * {@code prefixLen} bytes of {@code src}: sorts immediately before that version's entry.
     */
    public static byte[] versionSeek(byte[] src, int prefixLen, long main, long sub) {
        byte[] out = Arrays.copyOf(src, prefixLen + REV_SUFFIX_LEN);
        putLong(out, prefixLen, Long.MAX_VALUE - main);
        putLong(out, prefixLen + 8, Long.MAX_VALUE - sub);
        return out;
    }

    /** Seek target for "newest version with main revision <= rev" of the key with this prefix. */
    public static byte[] seekAtOrBefore(byte[] src, int prefixLen, long rev) {
        return versionSeek(src, prefixLen, rev, Long.MAX_VALUE);
    }

    /** A key greater than every version of the key with this prefix and smaller than any later key. */
    public static byte[] afterAllVersions(byte[] src, int prefixLen) {
        byte[] out = Arrays.copyOf(src, prefixLen + SUFFIX_LEN);
        Arrays.fill(out, prefixLen, out.length, (byte) 0xFF);
        return out;
    }

    /** Length of the escaped user key plus terminator at the start of {@code enc}. */
    public static int prefixLength(byte[] enc) {
        int i = 0;
        while (i < enc.length - 1) {
            if (enc[i] == 0) {
                if (enc[i + 1] == 1) {
                    return i + 2;
                }
                i += 2; // escaped zero
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("not an encoded mvcc key");
    }

    /** Decodes the user key from the first {@code prefixLen} bytes. */
    public static byte[] userKey(byte[] enc, int prefixLen) {
        int end = prefixLen - 2;
        int zeros = 0;
        for (int i = 0; i < end; i++) {
            if (enc[i] == 0) {
                zeros++;
                i++;
            }
        }
        byte[] out = new byte[end - zeros];
        int p = 0;
        for (int i = 0; i < end; i++) {
            out[p++] = enc[i];
            if (enc[i] == 0) {
                i++;
            }
        }
        return out;
    }

    public static long main(byte[] enc, int prefixLen) {
        return Long.MAX_VALUE - getLong(enc, prefixLen);
    }

    public static long sub(byte[] enc, int prefixLen) {
        return Long.MAX_VALUE - getLong(enc, prefixLen + 8);
    }

    /** True if {@code a} and {@code b} start with the same {@code len} bytes. */
    public static boolean samePrefix(byte[] a, byte[] b, int len) {
        return a.length >= len && b.length >= len && Arrays.equals(a, 0, len, b, 0, len);
    }

    /** Key of the revision-ordered column family: plain big-endian (main, sub). */
    public static byte[] revKey(long main, long sub) {
        byte[] out = new byte[16];
        putLong(out, 0, main);
        putLong(out, 8, sub);
        return out;
    }

    public static long revMain(byte[] revKey) {
        return getLong(revKey, 0);
    }

    public static long revSub(byte[] revKey) {
        return getLong(revKey, 8);
    }

    public static byte[] longBytes(long v) {
        byte[] out = new byte[8];
        putLong(out, 0, v);
        return out;
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    public static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }
}
