package io.vetcd.etcdformat;

/**
 * CRC-32C (Castagnoli) that can continue from a previous checksum, as etcd's WAL chains the CRC of
 * each record onto the one before (java.util.zip.CRC32C cannot be seeded).
 */
final class Crc32c {
    private static final int[] TABLE = new int[256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            TABLE[n] = c;
        }
    }

    private Crc32c() {}

    /** The CRC of {@code prev}'s data followed by {@code data}; start from 0. */
    static int update(int prev, byte[] data) {
        int c = ~prev;
        for (byte b : data) c = TABLE[(c ^ b) & 0xFF] ^ (c >>> 8);
        return ~c;
    }
}
