package io.vetcd.etcdformat;

import java.io.IOException;

/**
 * Receives a database as bbolt holds it: top-level buckets in ascending name order, each with its
 * keys in ascending order (unsigned byte comparison), so it can be written or hashed as it comes.
 */
public interface BucketSink {
    /** Ends the current bucket, if any, and starts the next one. */
    void bucket(byte[] name) throws IOException;

    /** Adds a key/value to the current bucket. */
    void put(byte[] key, byte[] value) throws IOException;
}
