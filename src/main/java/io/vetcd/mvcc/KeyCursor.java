package io.vetcd.mvcc;

import io.vetcd.pb.mvcc.KeyValue;

/**
 * Forward cursor over the live keys of a range at one revision, in ascending key order. Counting
 * only needs {@link #advance()}; {@link #kv} decodes the value only for entries that are returned,
 * which is what lets a limited range stop materializing early while still counting.
 */
interface KeyCursor {

    /** Moves to the next live key; false when the range is exhausted. */
    boolean advance();

    /** Raw user key of the current entry. */
    byte[] userKey();

    /** The current entry as a KeyValue. */
    KeyValue kv(boolean keysOnly);
}
