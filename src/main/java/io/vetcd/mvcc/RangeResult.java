package io.vetcd.mvcc;

import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.mvcc.KeyValue;
import java.util.List;

/**
 * Result of a range, with etcd's semantics: {@code count} is the number of keys in the range at
 * {@code revision} before limit and before the min/max revision filters; {@code more} is true
 * when the (filtered, sorted) result was truncated by the limit.
 */
public record RangeResult(List<KeyValue> kvs, long count, boolean more, long revision) {

    /** Response without header; the server adds the header (revision = {@link #revision()}). */
    public RangeResponse.Builder toResponseBuilder() {
        return RangeResponse.newBuilder().addAllKvs(kvs).setCount(count).setMore(more);
    }
}
