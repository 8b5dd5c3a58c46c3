package io.vetcd.mvcc;

import java.nio.ByteBuffer;

/**
 * One reusable direct buffer per thread for copying stored values out of RocksDB
 * ({@code RocksIterator.value(ByteBuffer)} needs a direct buffer). A buffer per range answer used
 * to cost 64 KiB of direct memory per request, freed only when a GC happened to collect its owner:
 * under load that grew the process by hundreds of MiB. Threads that answer ranges are a bounded
 * pool, so this holds at most (threads x largest stored value) and allocates nothing per request.
 * A buffer must only be used within one call on its thread, never kept across calls.
 */
final class DirectScratch {
    private static final int INITIAL = 64 * 1024;
    private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(INITIAL));

    private DirectScratch() {
    }

    /** This thread's buffer, cleared, with room for at least {@code bytes}. */
    static ByteBuffer get(int bytes) {
        ByteBuffer b = BUFFER.get();
        if (b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(Math.max(bytes, b.capacity() * 2));
            BUFFER.set(b);
        }
        b.clear();
        return b;
    }
}
