package io.vetcd.api;

import java.nio.ByteBuffer;

/**
 * The bytes of one big answer, produced piece by piece on a worker thread by {@link AnswerPump}:
 * never more than one call at a time, and {@link #close()} only when no call is running.
 */
interface ChunkSource extends AutoCloseable {

    /** Writes whole items into {@code out} while the next one fits. */
    void fill(ByteBuffer out);

    /** Bytes the next item needs; 0 when everything was written. */
    int nextSize();

    /** Total bytes it will produce, if known (sizes the budget reservation of small answers). */
    default long sizeHint() {
        return Long.MAX_VALUE;
    }

    @Override
    void close();
}
