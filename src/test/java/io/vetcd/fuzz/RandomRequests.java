package io.vetcd.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Protobuf messages of any request type with fields at the edges: empty and huge keys (over the
 * 1.5 MiB request limit), "\0" and "\xff" range ends, 0/-1/MIN/MAX revisions, limits and TTLs,
 * unknown enum numbers, nested messages (txns in txns). Built from the descriptors, so every
 * service's requests are covered without a generator per type.
 */
final class RandomRequests {
    private RandomRequests() {}

    private static final long[] LONGS = {0, 1, -1, 2, 3, 5, 100, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE,
        Integer.MIN_VALUE, 1L << 32, (1L << 32) - 1, 1L << 62, 9_000_000_000L};
    private static final byte[][] KEYS = {new byte[0], {0}, "a".getBytes(), "fz/k".getBytes(), "fz/k\0".getBytes(),
        {(byte) 0xff}, {(byte) 0xff, (byte) 0xff}, "fz/".getBytes(), "fz0".getBytes(), "\u00e9\u0000\ud83d\ude00".getBytes(StandardCharsets.UTF_8)};

    /** At most one field over 64 KiB per request, so a try costs milliseconds, not a 100 MB upload. */
    static Message of(Descriptors.Descriptor type, Random r, int depth) {
        return of(type, r, depth, new int[]{1});
    }

    private static Message of(Descriptors.Descriptor type, Random r, int depth, int[] bigLeft) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        for (Descriptors.FieldDescriptor f : type.getFields()) {
            if (r.nextInt(3) == 0) continue; // leave some fields at their default
            if (f.getJavaType() == Descriptors.FieldDescriptor.JavaType.MESSAGE && depth <= 0) continue;
            if (f.isRepeated()) {
                int n = r.nextInt(20) == 0 ? 64 + r.nextInt(200) : r.nextInt(4); // sometimes many ops in one txn
                for (int i = 0; i < n; i++) b.addRepeatedField(f, value(f, r, depth, bigLeft));
            } else {
                b.setField(f, value(f, r, depth, bigLeft)); // of a oneof, the last one set wins
            }
        }
        return b.build();
    }

    private static Object value(Descriptors.FieldDescriptor f, Random r, int depth, int[] bigLeft) {
        return switch (f.getJavaType()) {
            case LONG -> r.nextInt(4) == 0 ? r.nextLong() : LONGS[r.nextInt(LONGS.length)];
            case INT -> r.nextInt(4) == 0 ? r.nextInt() : (int) LONGS[r.nextInt(LONGS.length)];
            case BOOLEAN -> r.nextBoolean();
            case FLOAT -> r.nextFloat();
            case DOUBLE -> r.nextDouble();
            case STRING -> string(r);
            case BYTE_STRING -> ByteString.copyFrom(bytes(r, bigLeft));
            case ENUM -> {
                var values = f.getEnumType().getValues();
                yield r.nextInt(5) == 0
                    ? f.getEnumType().findValueByNumberCreatingIfUnknown(1000 + r.nextInt(1000))
                    : values.get(r.nextInt(values.size()));
            }
            case MESSAGE -> of(f.getMessageType(), r, depth - 1, bigLeft);
        };
    }

    static byte[] bytes(Random r, int[] bigLeft) {
        int pick = r.nextInt(40);
        if (pick < 2 && bigLeft[0] > 0) {
            bigLeft[0]--;
            return pick == 0 ? filled(r, 1_600_000) : filled(r, 64 * 1024); // over --max-request-bytes (1.5 MiB), or just big
        }
        if (pick < 12) {
            byte[] b = new byte[r.nextInt(33)];
            r.nextBytes(b);
            return b;
        }
        return KEYS[r.nextInt(KEYS.length)];
    }

    private static byte[] filled(Random r, int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) ('a' + r.nextInt(26)));
        return b;
    }

    private static String string(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> "";
            case 1 -> "fz-user";
            case 2 -> "fz-role";
            case 3 -> "x".repeat(10_000);
            case 4 -> "\u0000\u00e9\ud83d\ude00 /\\\"";
            case 5 -> "http://127.0.0.1:1";
            case 6 -> "not a url";
            default -> Long.toString(r.nextLong(), 36);
        };
    }

    /** A txn nested {@code depth} levels deep through RequestOp.request_txn. */
    static byte[] nestedTxn(int depth) {
        io.vetcd.pb.etcdserver.TxnRequest t = io.vetcd.pb.etcdserver.TxnRequest.newBuilder()
            .addSuccess(io.vetcd.pb.etcdserver.RequestOp.newBuilder().setRequestRange(
                io.vetcd.pb.etcdserver.RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("fz/k")))).build();
        byte[] bytes = t.toByteArray();
        // built as bytes, since protobuf-java refuses to build (and parse) past 100 levels itself
        for (int i = 1; i < depth; i++) {
            byte[] op = field(5, bytes);      // RequestOp.request_txn = 5
            bytes = field(2, op);             // TxnRequest.success = 2
        }
        return bytes;
    }

    private static byte[] field(int number, byte[] payload) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(payload.length + 8);
        varint(out, (number << 3) | 2);
        varint(out, payload.length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static void varint(java.io.ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
