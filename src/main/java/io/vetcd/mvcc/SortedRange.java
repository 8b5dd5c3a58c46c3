package io.vetcd.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.mvcc.KeyValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.rocksdb.RocksIterator;

/**
 * A range answer sorted other than by ascending key, with {@link RangeExecutor}'s semantics
 * (etcd's), in bounded memory. A first pass sizes the candidates; up to {@link #IN_MEMORY_BYTES}
 * they are sorted in memory as before, beyond that on disk ({@link SortScratch}): each candidate
 * goes in under an order-preserving encoding of (sort key, position in key order) so ties keep
 * key order exactly as the in-memory stable sort does, then the scratch is read forwards or
 * backwards.
 */
public final class SortedRange implements KvFields, AutoCloseable {
    public static final long IN_MEMORY_BYTES = 4L << 20;
    private static final int TAG_KVS = (2 << 3) | 2;

    private final RangePlan plan;
    // in memory
    private final List<KeyValue> kvs;
    private int index;
    // on disk
    private final SortScratch scratch;
    private final RocksIterator it;
    private final boolean descending;
    private long left;
    private final ByteBuffer lengthProbe = ByteBuffer.allocateDirect(16);

    private SortedRange(RangePlan plan, List<KeyValue> kvs) {
        this.plan = plan;
        this.kvs = kvs;
        this.scratch = null;
        this.it = null;
        this.descending = false;
    }

    private SortedRange(RangePlan plan, SortScratch scratch, RocksIterator it, boolean descending) {
        this.plan = plan;
        this.kvs = null;
        this.scratch = scratch;
        this.it = it;
        this.descending = descending;
        this.left = plan.kvs();
    }

    /** Memory a big sorted answer may hold while it is built and written (see {@link SortScratch}). */
    public static long footprintBytes() {
        return SortScratch.FOOTPRINT_BYTES;
    }

    /** Worker thread: sorts the view's answer; spills to a fresh directory under {@code scratchParent}. */
    public static SortedRange build(RangeView view, Path scratchParent) {
        return build(view, scratchParent, IN_MEMORY_BYTES);
    }

    static SortedRange build(RangeView view, Path scratchParent, long inMemoryBytes) {
        RangeRequest r = view.request();
        boolean filtered = view.filtered();
        long limit = r.getLimit();
        // etcd fetches only limit+1 keys when the request's own order is NONE and nothing filters,
        // and sorts just those (see RangeExecutor).
        boolean fetchLimited = r.getSortOrder() == RangeRequest.SortOrder.NONE && !filtered;
        long keep = r.getCountOnly() ? 0 : (fetchLimited && limit > 0 ? limit + 1 : Long.MAX_VALUE);

        StoreCursor c = view.cursor();
        StoredHeader h = new StoredHeader();
        long candidateBytes = 0;
        long n = 0;
        while (c.advance() && n < keep) {
            h.read(c);
            if (!filtered || view.passes(h.createRevision, c.modRevision())) {
                n++;
                candidateBytes += RangeEncoder.fieldSize(RangeEncoder.kvSize(c.userKey().length, h, c.modRevision(), false));
            }
        }
        if (candidateBytes <= inMemoryBytes) {
            RangeResult rr = RangeExecutor.execute(view.cursor(), r, view.readRevision(), view.currentRevision());
            long bytes = 0;
            for (KeyValue kv : rr.kvs()) {
                bytes += RangeEncoder.fieldSize(kv.getSerializedSize());
            }
            return new SortedRange(new RangePlan(rr.count(), rr.kvs().size(), bytes, rr.more()), rr.kvs());
        }
        return spill(view, scratchParent.resolve("sort-" + UUID.randomUUID()), keep, filtered);
    }

    private static SortedRange spill(RangeView view, Path dir, long keep, boolean filtered) {
        RangeRequest r = view.request();
        RangeRequest.SortOrder order = r.getSortOrder() == RangeRequest.SortOrder.NONE
                ? RangeRequest.SortOrder.ASCEND : r.getSortOrder();
        boolean descending = order == RangeRequest.SortOrder.DESCEND;
        SortScratch scratch = new SortScratch(dir);
        RocksIterator it = null;
        try {
            StoreCursor c = view.cursor();
            long count = 0;
            long n = 0;
            long bytes = 0;
            while (c.advance()) {
                count++;
                if (n >= keep) {
                    continue;
                }
                KeyValue kv = c.kv(false);
                if (filtered && !view.passes(kv.getCreateRevision(), kv.getModRevision())) {
                    continue;
                }
                // ties keep key order whichever way the scratch is read
                long seq = descending ? Long.MAX_VALUE - n : n;
                n++;
                KeyValue out = r.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv;
                byte[] field = field(out);
                bytes += field.length;
                scratch.put(sortKey(r.getSortTarget(), kv, seq), field);
            }
            long limit = r.getLimit();
            boolean more = limit > 0 && n > limit;
            long emitted = more ? limit : n;
            it = scratch.iterator();
            if (more) {
                bytes = 0;
                ByteBuffer probe = ByteBuffer.allocateDirect(16);
                position(it, descending);
                for (long i = 0; i < emitted && it.isValid(); i++) {
                    probe.clear();
                    bytes += it.value(probe);
                    step(it, descending);
                }
            }
            position(it, descending);
            return new SortedRange(new RangePlan(count, emitted, bytes, more), scratch, it, descending);
        } catch (RuntimeException e) {
            if (it != null) {
                it.close();
            }
            scratch.close();
            throw e;
        }
    }

    private static void position(RocksIterator it, boolean descending) {
        if (descending) {
            it.seekToLast();
        } else {
            it.seekToFirst();
        }
    }

    private static void step(RocksIterator it, boolean descending) {
        if (descending) {
            it.prev();
        } else {
            it.next();
        }
    }

    private static byte[] field(KeyValue kv) {
        int size = kv.getSerializedSize();
        byte[] out = new byte[RangeEncoder.fieldSize(size)];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            c.writeUInt32NoTag(TAG_KVS);
            c.writeUInt32NoTag(size);
            kv.writeTo(c);
            c.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Bytewise order of the result = order of (target value, seq). */
    static byte[] sortKey(RangeRequest.SortTarget target, KeyValue kv, long seq) {
        return switch (target) {
            case VERSION -> number(kv.getVersion(), seq);
            case CREATE -> number(kv.getCreateRevision(), seq);
            case MOD -> number(kv.getModRevision(), seq);
            case VALUE -> bytes(kv.getValue(), seq);
            default -> bytes(kv.getKey(), seq);
        };
    }

    private static byte[] number(long v, long seq) {
        return ByteBuffer.allocate(16).putLong(v ^ Long.MIN_VALUE).putLong(seq).array();
    }

    /** 0x00 escaped as 0x00 0xFF and a 0x00 0x00 terminator keep prefixes ordered first. */
    private static byte[] bytes(ByteString s, long seq) {
        int zeros = 0;
        for (int i = 0; i < s.size(); i++) {
            if (s.byteAt(i) == 0) {
                zeros++;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(s.size() + zeros + 2 + 8);
        for (int i = 0; i < s.size(); i++) {
            byte x = s.byteAt(i);
            b.put(x);
            if (x == 0) {
                b.put((byte) 0xFF);
            }
        }
        return b.put((byte) 0).put((byte) 0).putLong(seq).array();
    }

    public RangePlan plan() {
        return plan;
    }

    @Override
    public boolean done() {
        return kvs != null ? index >= plan.kvs() : left == 0 || !it.isValid();
    }

    @Override
    public int nextFieldSize() {
        if (done()) {
            return 0;
        }
        if (kvs != null) {
            return RangeEncoder.fieldSize(kvs.get(index).getSerializedSize());
        }
        lengthProbe.clear();
        return it.value(lengthProbe);
    }

    @Override
    public void fill(ByteBuffer out) {
        while (!done() && out.remaining() >= nextFieldSize()) {
            if (kvs != null) {
                out.put(field(kvs.get(index++)));
            } else {
                out.put(it.value());
                step(it, descending);
                left--;
            }
        }
    }

    @Override
    public void close() {
        if (it != null) {
            it.close();
        }
        if (scratch != null) {
            scratch.close();
        }
    }
}
