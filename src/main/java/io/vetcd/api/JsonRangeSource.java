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
 * A RangeResponse as the JSON gateway prints it (the same printer, the same field order: header,
 * kvs, more, count), produced one kv at a time so the text of a big answer is never whole in memory.
 */
final class JsonRangeSource implements ChunkSource {
    private final RangeView view;
    private final RangeEncoder kvs;
    private final JsonFormat.Printer printer;
    private final String tail;
    private byte[] pending;
    private boolean first = true;
    private boolean tailOut;

    JsonRangeSource(RangeView view, RangePlan plan, ResponseHeader header, JsonFormat.Printer printer) {
        this.view = view;
        this.printer = printer;
        this.kvs = new RangeEncoder(view, plan);
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
        this.tail = t.append('}').toString();
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
        return pending == null ? 0 : pending.length;
    }

    @Override
    public void fill(ByteBuffer out) {
        while (pending != null && out.remaining() >= pending.length) {
            out.put(pending);
            pending = next();
        }
    }

    private byte[] next() {
        if (!kvs.done()) {
            String kv = print(kvs.nextKv());
            String item = first ? kv : "," + kv;
            first = false;
            return item.getBytes(StandardCharsets.UTF_8);
        }
        if (!tailOut) {
            tailOut = true;
            return tail.getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }

    @Override
    public void close() {
        view.close();
    }
}
