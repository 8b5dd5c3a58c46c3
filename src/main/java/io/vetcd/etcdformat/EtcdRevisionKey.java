package io.vetcd.etcdformat;

/**
 * Keys of etcd's "key" bucket (mvcc/revision.go): 8-byte big-endian main revision, '_', 8-byte
 * big-endian sub revision, so the bucket is ordered by revision; a tombstone's key has an extra
 * 't' byte. The same 17-byte form, without the mark, is how etcd stores compaction revisions.
 */
public final class EtcdRevisionKey {
    public static final int LENGTH = 17;
    public static final byte TOMBSTONE_MARK = 't';

    private EtcdRevisionKey() {}

    public static byte[] of(long main, long sub, boolean tombstone) {
        byte[] b = new byte[tombstone ? LENGTH + 1 : LENGTH];
        putLong(b, 0, main);
        b[8] = '_';
        putLong(b, 9, sub);
        if (tombstone) b[LENGTH] = TOMBSTONE_MARK;
        return b;
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }
}
