package io.vetcd.mvcc;

import java.nio.ByteBuffer;

/** The kvs of a range answer as encoded RangeResponse.kvs fields, written chunk by chunk. */
public interface KvFields {

    boolean done();

    /** Bytes the next kv field takes (0 when done): a chunk must have at least this much room. */
    int nextFieldSize();

    /** Writes whole kv fields into {@code out} while the next one fits. */
    void fill(ByteBuffer out);
}
