package io.vetcd.raft;

import java.util.Arrays;

/** Growable byte buffer with unsigned LEB128 varints: small numbers (most terms, indexes, ids) cost one or two bytes. */
final class ByteWriter {
    private byte[] buf;
    private int len;

    ByteWriter(int initialCapacity) { buf = new byte[Math.max(16, initialCapacity)]; }

    private void ensure(int extra) {
        if (len + extra > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }

    void u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
    }

    void varint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    /** Length-prefixed bytes. */
    void bytes(byte[] b) {
        varint(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    byte[] toByteArray() { return Arrays.copyOf(buf, len); }
}
