package io.vetcd.mvcc;

/**
 * What a key-ordered range answer will hold, from a first pass that reads only keys and stored
 * lengths: enough to write the gRPC length prefix before the first byte of the answer.
 *
 * @param count    etcd's count: live keys in the range (before limit and filters)
 * @param kvs      how many kvs the answer holds
 * @param kvsBytes encoded size of those kvs as repeated field 2 of RangeResponse (tags and lengths included)
 * @param more     the limit cut the answer short
 */
public record RangePlan(long count, long kvs, long kvsBytes, boolean more) {
}
