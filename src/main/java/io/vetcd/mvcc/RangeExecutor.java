package io.vetcd.mvcc;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.mvcc.KeyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * etcd 3.4's range post-processing (etcdserver/apply.go Range + mvcc rangeKeys), applied while
 * streaming from a {@link KeyCursor}:
 * <ol>
 *   <li>{@code count} = all live keys in the range at the revision (ignores limit and filters);</li>
 *   <li>min/max mod/create revision filters drop kvs after fetching;</li>
 *   <li>sort target != KEY with order NONE means ASCEND; other sorts need everything, then truncate;</li>
 *   <li>limit truncates and sets {@code more}.</li>
 * </ol>
 * Quirk kept for compatibility: with sort order NONE, a non-KEY target and a limit, etcd fetches
 * only the first {@code limit + 1} keys and sorts just those.
 *
 * <p>Deviation for speed only, not semantics: when no real sort is needed (NONE, or KEY/ASCEND,
 * which is the natural order) filters are applied while scanning and values are decoded only for
 * the first {@code limit + 1} matching keys; the rest of the range is only counted.
 */
final class RangeExecutor {

    private RangeExecutor() {
    }

    /** Exclusive end for {@link StoreCursor}: null = single key, empty = unbounded. */
    static byte[] cursorEnd(ByteString rangeEnd) {
        if (rangeEnd.isEmpty()) {
            return null;
        }
        if (rangeEnd.size() == 1 && rangeEnd.byteAt(0) == 0) {
            return new byte[0];
        }
        return rangeEnd.toByteArray();
    }

    static RangeResult execute(KeyCursor cursor, RangeRequest r, long rev, long curRev) {
        boolean filtered = r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
                || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
        RangeRequest.SortOrder order = r.getSortOrder();
        if (r.getSortTarget() != RangeRequest.SortTarget.KEY && order == RangeRequest.SortOrder.NONE) {
            order = RangeRequest.SortOrder.ASCEND;
        }
        boolean naturalOrder = order == RangeRequest.SortOrder.NONE
                || (order == RangeRequest.SortOrder.ASCEND && r.getSortTarget() == RangeRequest.SortTarget.KEY);
        long limit = r.getLimit();
        // How many matching kvs to materialize; beyond that we only count. etcd fetches limit+1
        // keys whenever the request's own sort order is NONE and there are no filters, even if
        // the sort target then implies an ASCEND sort: that sort only orders those limit+1 keys.
        boolean fetchLimited = naturalOrder || (r.getSortOrder() == RangeRequest.SortOrder.NONE && !filtered);
        long keep = r.getCountOnly() ? 0 : (fetchLimited && limit > 0 ? limit + 1 : Long.MAX_VALUE);

        // Sorting by value needs the values even for keys_only; they are dropped after sorting.
        boolean sortByValue = !naturalOrder && r.getSortTarget() == RangeRequest.SortTarget.VALUE;
        boolean decodeKeysOnly = r.getKeysOnly() && !sortByValue;
        long count = 0;
        List<KeyValue> kvs = new ArrayList<>();
        while (cursor.advance()) {
            count++;
            if (kvs.size() < keep) {
                KeyValue kv = cursor.kv(decodeKeysOnly);
                if (!filtered || passes(r, kv)) {
                    kvs.add(kv);
                }
            }
        }
        if (!naturalOrder) {
            kvs.sort(order == RangeRequest.SortOrder.DESCEND ? comparator(r.getSortTarget()).reversed()
                    : comparator(r.getSortTarget()));
        }
        boolean more = false;
        if (limit > 0 && kvs.size() > limit) {
            kvs = new ArrayList<>(kvs.subList(0, (int) limit));
            more = true;
        }
        if (r.getKeysOnly() && sortByValue) {
            kvs.replaceAll(kv -> kv.toBuilder().clearValue().build());
        }
        return new RangeResult(kvs, count, more, curRev, rev);
    }

    private static boolean passes(RangeRequest r, KeyValue kv) {
        if (r.getMaxModRevision() != 0 && kv.getModRevision() > r.getMaxModRevision()) {
            return false;
        }
        if (r.getMinModRevision() != 0 && kv.getModRevision() < r.getMinModRevision()) {
            return false;
        }
        if (r.getMaxCreateRevision() != 0 && kv.getCreateRevision() > r.getMaxCreateRevision()) {
            return false;
        }
        return r.getMinCreateRevision() == 0 || kv.getCreateRevision() >= r.getMinCreateRevision();
    }

    private static final Comparator<ByteString> UNSIGNED = ByteString.unsignedLexicographicalComparator();

    private static Comparator<KeyValue> comparator(RangeRequest.SortTarget target) {
        return switch (target) {
            case VERSION -> Comparator.comparingLong(KeyValue::getVersion);
            case CREATE -> Comparator.comparingLong(KeyValue::getCreateRevision);
            case MOD -> Comparator.comparingLong(KeyValue::getModRevision);
            case VALUE -> (a, b) -> UNSIGNED.compare(a.getValue(), b.getValue());
            default -> (a, b) -> UNSIGNED.compare(a.getKey(), b.getKey());
        };
    }
}
