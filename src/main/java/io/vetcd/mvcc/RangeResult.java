package io.vetcd.mvcc;

import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.mvcc.KeyValue;
import java.util.List;

/**
 * Result of a range, with etcd's semantics: {@code count} is the number of keys in the range at
 * {@code readRevision} before limit and before the min/max revision filters; {@code more} is true
 * when the (filtered, sorted) result was truncated by the limit.
 *
 * @param revision     the store's current revision as seen by this read: what etcd puts in the
 *                     response header, even when an older revision was requested
 * @param readRevision the revision the data was read at (requested revision, or current if 0)
 */
public record RangeResult(List<KeyValue> kvs, long count, boolean more, long revision, long readRevision) {

    /** Response without header; the server adds the header (revision = {@link #revision()}). */
    public RangeResponse.Builder toResponseBuilder() {
        return RangeResponse.newBuilder().addAllKvs(kvs).setCount(count).setMore(more);
    }
}
