package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;

/**
 * The unread bytes of a stream that arrives in chunks: a decoder looks at {@link #buffer()} from
 * {@link #pos()} on, and {@link #skip}s what it consumed. The common case, a chunk that ends on a
 * frame boundary, is read in place without copying. Not thread-safe.
 */
final class ChunkBuffer {
    private Buffer pending = Buffer.buffer();
    private int pos;

    void add(Buffer chunk) {
        if (pos == pending.length()) {
            pending = chunk;
        } else {
            Buffer rest = Buffer.buffer(pending.length() - pos + chunk.length());
            rest.appendBuffer(pending, pos, pending.length() - pos).appendBuffer(chunk);
            pending = rest;
        }
        pos = 0;
    }

    Buffer buffer() {
        return pending;
    }

    int pos() {
        return pos;
    }

    int available() {
        return pending.length() - pos;
    }

    void skip(int n) {
        pos += n;
    }
}
