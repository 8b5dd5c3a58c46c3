package io.vetcd.etcdformat;

import java.nio.ByteBuffer;

/** 64-bit FNV-1a, the checksum bbolt puts on its meta pages. */
final class Fnv64a {
    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private Fnv64a() {}

    static long hash(ByteBuffer buf, int from, int len) {
        long h = OFFSET_BASIS;
        for (int i = from; i < from + len; i++) {
            h ^= buf.get(i) & 0xFF;
            h *= PRIME;
        }
        return h;
    }
}
