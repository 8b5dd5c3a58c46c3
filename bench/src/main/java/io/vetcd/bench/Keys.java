package io.vetcd.bench;

import com.google.protobuf.ByteString;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Key and value bytes. A key is its index in decimal, zero-padded (left-truncated) to the key size, after an optional prefix. */
final class Keys {
    private Keys() {}

    static ByteString key(String prefix, long index, int size) {
        byte[] p = prefix.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] b = new byte[p.length + size];
        System.arraycopy(p, 0, b, 0, p.length);
        Arrays.fill(b, p.length, b.length, (byte) '0');
        String d = Long.toString(index);
        int n = Math.min(d.length(), size);
        for (int i = 0; i < n; i++) b[b.length - 1 - i] = (byte) d.charAt(d.length() - 1 - i);
        return ByteString.copyFrom(b);
    }

    static ByteString value(int size, long seed) {
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) b[i] = (byte) ('a' + r.nextInt(26));
        return ByteString.copyFrom(b);
    }

    /** The smallest key greater than every key starting with {@code prefix} (etcd's "prefix end"). */
    static ByteString prefixEnd(ByteString prefix) {
        byte[] b = prefix.toByteArray();
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                b[i]++;
                return ByteString.copyFrom(b, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }
}
