package io.vetcd.raft;

/** Reads what {@link ByteWriter} wrote; rejects truncated or trailing input with IllegalArgumentException. */
final class ByteReader {
    private final byte[] buf;
    private int pos;

    ByteReader(byte[] buf) { this.buf = buf; }

    int u8() {
        if (pos >= buf.length) throw new IllegalArgumentException("truncated input");
        return buf[pos++] & 0xFF;
    }

    long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new IllegalArgumentException("varint too long");
    }

    int length() {
        long n = varint();
        if (n < 0 || n > buf.length - pos) throw new IllegalArgumentException("bad length " + n);
        return (int) n;
    }

    byte[] bytes() {
        int n = length();
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    boolean atEnd() { return pos == buf.length; }

    /** Skips one protobuf field's value of the given wire type (0 varint, 1 fixed64, 2 bytes, 5 fixed32). */
    void skipField(int wireType) {
        switch (wireType) {
            case 0 -> varint();
            case 1 -> skip(8);
            case 2 -> skip(length());
            case 5 -> skip(4);
            default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
        }
    }

    private void skip(int n) {
        if (n > buf.length - pos) throw new IllegalArgumentException("truncated input");
        pos += n;
    }

    void expectEnd() {
        if (pos != buf.length) throw new IllegalArgumentException((buf.length - pos) + " trailing bytes");
    }
}
