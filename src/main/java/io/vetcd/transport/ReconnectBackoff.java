package io.vetcd.transport;

/**
 * Delays between redials of a broken stream: doubling from a first delay up
 * to a ceiling, back to the first delay after a success. Not thread-safe:
 * owned by one reader's context.
 */
public final class ReconnectBackoff {
    private final long initialMs;
    private final long maxMs;
    private long nextMs;

    public ReconnectBackoff(long initialMs, long maxMs) {
        if (initialMs <= 0 || maxMs < initialMs) throw new IllegalArgumentException("bad backoff " + initialMs + ".." + maxMs);
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.nextMs = initialMs;
    }

    /** The delay before the next attempt; each call doubles the following one, up to the ceiling. */
    public long next() {
        long d = nextMs;
        nextMs = Math.min(maxMs, nextMs * 2);
        return d;
    }

    public void reset() {
        nextMs = initialMs;
    }
}
