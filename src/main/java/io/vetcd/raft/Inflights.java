package io.vetcd.raft;

/**
 * Flow control for one follower in {@link ProgressState#REPLICATE}: a ring of the last index of each
 * MsgApp sent but not acknowledged. When full, the leader stops sending to that follower.
 */
final class Inflights {
    private final long[] buf;
    private int start;
    private int count;

    Inflights(int capacity) { buf = new long[Math.max(1, capacity)]; }

    boolean full() { return count == buf.length; }

    int count() { return count; }

    void add(long lastIndex) {
        if (full()) throw new IllegalStateException("inflights full");
        buf[(start + count) % buf.length] = lastIndex;
        count++;
    }

    /** Acknowledges every message whose last index is <= to. */
    void freeLE(long to) {
        while (count > 0 && buf[start] <= to) {
            start = (start + 1) % buf.length;
            count--;
        }
        if (count == 0) start = 0;
    }

    void freeFirstOne() {
        if (count > 0) freeLE(buf[start]);
    }

    void reset() {
        start = 0;
        count = 0;
    }
}
