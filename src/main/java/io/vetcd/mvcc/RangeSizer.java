package io.vetcd.mvcc;

/**
 * First pass of a streamed range: counts the range and sizes the answer from keys and stored
 * lengths only (values stay in RocksDB), with the semantics of {@link RangeExecutor}'s key-ordered
 * path: count ignores limit and filters; filters apply to the first {@code limit + 1} keys. When the
 * view knows the count (the live-key index at the current revision), only the keys the answer holds
 * (and the one after, for {@code more}) are read.
 */
public final class RangeSizer {
    private RangeSizer() {
    }

    public static RangePlan plan(RangeView view) {
        StoreCursor c = view.cursor();
        StoredHeader h = new StoredHeader();
        boolean filtered = view.filtered();
        boolean keysOnly = view.request().getKeysOnly();
        long keep = view.keep();
        long count = 0;
        long kvs = 0;
        long bytes = 0;
        long last = 0;
        long known = view.knownCount();
        // with the count known, the scan stops once the answer's kvs are found
        while ((known < 0 || kvs < keep) && c.advance()) {
            count++;
            if (kvs < keep) {
                h.read(c);
                long mod = c.modRevision();
                if (!filtered || view.passes(h.createRevision, mod)) {
                    last = RangeEncoder.fieldSize(RangeEncoder.kvSize(c.userKey().length, h, mod, keysOnly));
                    kvs++;
                    bytes += last;
                }
            }
        }
        long limit = view.request().getLimit();
        boolean more = false;
        if (limit > 0 && kvs > limit) {
            kvs = limit;
            bytes -= last;
            more = true;
        }
        return new RangePlan(known < 0 ? count : known, kvs, bytes, more);
    }
}
