package io.vetcd.api;

import com.google.protobuf.CodedOutputStream;
import io.vetcd.mvcc.KvFields;
import io.vetcd.mvcc.RangeEncoder;
import io.vetcd.mvcc.RangePlan;
import io.vetcd.mvcc.RangeView;
import io.vetcd.pb.etcdserver.ResponseHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A RangeResponse as one gRPC message, byte for byte what protobuf would encode for the same
 * response (fields in number order: header, kvs, more, count), with its 5-byte gRPC prefix. The
 * total length comes from the {@link RangePlan}, so the prefix goes out before the first kv.
 */
final class GrpcRangeSource implements ChunkSource {
    private final KvFields kvs;
    private final Runnable onClose;
    private byte[] head;
    private byte[] tail;
    private final long messageLength;

    /** Key-ordered: kvs encoded while the view is scanned. */
    GrpcRangeSource(RangeView view, RangePlan plan, ResponseHeader header) {
        this(plan, new RangeEncoder(view, plan), header, view::close);
    }

    /** Any {@code kvs} matching {@code plan}; {@code onClose} frees what they hold. */
    GrpcRangeSource(RangePlan plan, KvFields kvs, ResponseHeader header, Runnable onClose) {
        this.onClose = onClose;
        this.kvs = kvs;
        byte[] headerField = field1(header);
        this.tail = tail(plan);
        this.messageLength = headerField.length + plan.kvsBytes() + tail.length;
        if (messageLength > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("range answer of " + messageLength + " bytes does not fit one gRPC message");
        }
        ByteBuffer h = ByteBuffer.allocate(5 + headerField.length);
        h.put((byte) 0).putInt((int) messageLength).put(headerField);
        this.head = h.array();
    }

    /** Bytes of the protobuf message (without the gRPC prefix). */
    long messageLength() {
        return messageLength;
    }

    @Override
    public long sizeHint() {
        return 5 + messageLength;
    }

    @Override
    public int nextSize() {
        if (head != null) {
            return head.length;
        }
        if (!kvs.done()) {
            return kvs.nextFieldSize();
        }
        return tail == null ? 0 : tail.length;
    }

    @Override
    public void fill(ByteBuffer out) {
        if (head != null) {
            if (out.remaining() < head.length) {
                return;
            }
            out.put(head);
            head = null;
        }
        kvs.fill(out);
        if (kvs.done() && tail != null && out.remaining() >= tail.length) {
            out.put(tail);
            tail = null;
        }
    }

    @Override
    public void close() {
        onClose.run();
    }

    static byte[] field1(ResponseHeader header) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            CodedOutputStream c = CodedOutputStream.newInstance(b);
            c.writeMessage(1, header);
            c.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    /** more (3) and count (4); left out when false / zero, as proto3 does. */
    static byte[] tail(RangePlan plan) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            CodedOutputStream c = CodedOutputStream.newInstance(b);
            if (plan.more()) {
                c.writeBool(3, true);
            }
            if (plan.count() != 0) {
                c.writeInt64(4, plan.count());
            }
            c.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }
}
