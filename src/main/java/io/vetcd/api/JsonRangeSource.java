package io.vetcd.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vetcd.mvcc.RangeEncoder;
import io.vetcd.mvcc.RangePlan;
import io.vetcd.mvcc.RangeView;
import io.vetcd.pb.etcdserver.ResponseHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A RangeResponse as the JSON gateway prints it (the same printer for the header, the same text
 * for each kv ({@link RangeEncoder} in JSON mode), the same field order: header, kvs, more, count),
 * produced chunk by chunk so the text of a big answer is never whole in memory.
 */
final class JsonRangeSource implements ChunkSource {
    private final RangeView view;
    private final RangeEncoder kvs;
    private final JsonFormat.Printer printer;
    private final byte[] tail;
    private byte[] pending;
    private boolean tailOut;

    JsonRangeSource(RangeView view, RangePlan plan, ResponseHeader header, JsonFormat.Printer printer) {
        this.view = view;
        this.printer = printer;
        this.kvs = new RangeEncoder(view, plan, true);
        StringBuilder t = new StringBuilder();
        if (plan.kvs() > 0) {
            t.append(']');
        }
        if (plan.more()) {
            t.append(",\"more\":true");
        }
        if (plan.count() != 0) {
            t.append(",\"count\":\"").append(plan.count()).append('"');
        }
        this.tail = t.append('}').toString().getBytes(StandardCharsets.UTF_8);
        String head = "{\"header\":" + print(header) + (plan.kvs() > 0 ? ",\"kvs\":[" : "");
        this.pending = head.getBytes(StandardCharsets.UTF_8);
    }

    private String print(com.google.protobuf.MessageOrBuilder m) {
        try {
            return printer.print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int nextSize() {
        if (pending != null) {
            return pending.length;
        }
        if (!kvs.done()) {
            return kvs.nextFieldSize();
        }
        return tailOut ? 0 : tail.length;
    }

    @Override
    public void fill(ByteBuffer out) {
        if (pending != null) {
            if (out.remaining() < pending.length) {
                return;
            }
            out.put(pending);
            pending = null;
        }
        kvs.fill(out);
        if (kvs.done() && !tailOut && out.remaining() >= tail.length) {
            out.put(tail);
            tailOut = true;
        }
    }

    @Override
    public void close() {
        view.close();
    }
}
