package io.vetcd.mvcc;

import io.vetcd.pb.etcdserver.RangeRequest;
import org.rocksdb.RocksIterator;

/**
 * One range request over a pinned, consistent view of the store (a RocksDB iterator), read in two
 * passes: {@link RangeSizer} counts and sizes the answer, {@link RangeEncoder} then writes it in
 * chunks. Both passes see exactly the same data because they share the iterator, which pins the
 * database as of {@link MvccStore#openRangeView}.
 *
 * <p>Not thread-safe: one thread at a time (a worker per chunk is fine: hand-offs through the
 * event loop order them). The owner must {@link #close()} it, and only while no pass is running.
 * While open it holds the store open (see {@link MvccStore#close()}), so holders must not keep it
 * forever: a client that stops reading is timed out by the API layer.
 */
public final class RangeView implements AutoCloseable {
    private final MvccStore store;
    private final RocksIterator it;
    private final RangeRequest request;
    private final byte[] key;
    private final byte[] end;
    private final long readRevision;
    private final long currentRevision;
    /** The range's count from the live-key index ({@link LiveKeys}), or -1: count while scanning. */
    private final long knownCount;
    /** The snapshot the iterator reads (with {@link #knownCount}), released on close; or null. */
    private final AutoCloseable pin;
    private boolean closed;

    RangeView(MvccStore store, RocksIterator it, RangeRequest request, long readRevision, long currentRevision) {
        this(store, it, request, readRevision, currentRevision, -1, null);
    }

    RangeView(MvccStore store, RocksIterator it, RangeRequest request, long readRevision, long currentRevision,
              long knownCount, AutoCloseable pin) {
        this.knownCount = knownCount;
        this.pin = pin;
        this.store = store;
        this.it = it;
        this.request = request;
        this.key = request.getKey().toByteArray();
        this.end = RangeExecutor.cursorEnd(request.getRangeEnd());
        this.readRevision = readRevision;
        this.currentRevision = currentRevision;
    }

    /**
     * True when the answer is in key order, so it can be written while scanning: no sort, or a
     * sort by key ascending (etcd's implied ASCEND for a non-key target with order NONE is a sort).
     */
    public static boolean keyOrdered(RangeRequest r) {
        RangeRequest.SortOrder o = r.getSortOrder();
        return r.getSortTarget() == RangeRequest.SortTarget.KEY
                && (o == RangeRequest.SortOrder.NONE || o == RangeRequest.SortOrder.ASCEND);
    }

    public RangeRequest request() {
        return request;
    }

    /** The store's revision when the view was opened: what the response header carries. */
    public long currentRevision() {
        return currentRevision;
    }

    public long readRevision() {
        return readRevision;
    }

    StoreCursor cursor() {
        if (closed) {
            throw new IllegalStateException("range view is closed");
        }
        return new StoreCursor(it, key, end, readRevision);
    }

    /** The count, when known without scanning the range; else -1. */
    long knownCount() {
        return knownCount;
    }

    boolean filtered() {
        RangeRequest r = request;
        return r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
                || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
    }

    /** etcd's min/max mod/create revision filters. */
    boolean passes(long createRevision, long modRevision) {
        RangeRequest r = request;
        if (r.getMaxModRevision() != 0 && modRevision > r.getMaxModRevision()) {
            return false;
        }
        if (r.getMinModRevision() != 0 && modRevision < r.getMinModRevision()) {
            return false;
        }
        if (r.getMaxCreateRevision() != 0 && createRevision > r.getMaxCreateRevision()) {
            return false;
        }
        return r.getMinCreateRevision() == 0 || createRevision >= r.getMinCreateRevision();
    }

    /** How many kvs the answer may hold before the limit cuts it (limit + 1 to learn {@code more}). */
    long keep() {
        if (request.getCountOnly()) {
            return 0;
        }
        return request.getLimit() > 0 ? request.getLimit() + 1 : Long.MAX_VALUE;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            it.close();
            if (pin != null) pin.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing a range view failed", e);
        } finally {
            store.exitRead();
        }
    }
}
