package io.vetcd.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids unique across members and restarts, made the way etcd's idutil makes them: the member id's
 * low 16 bits on top, then a millisecond timestamp shifted left by 8 plus a counter. One counter
 * serves the request ids proposals are waited on by and the lease ids the server assigns, as in
 * etcd: in a mixed cluster an etcd member and a vetcd member never hand out the same id (unless
 * their member ids share the low 16 bits, etcd's own limit).
 */
public final class IdGenerator {
    private static final int TS_BITS = 40;
    private static final int COUNT_BITS = 8;
    private static final long SUFFIX_MASK = (1L << (TS_BITS + COUNT_BITS)) - 1;

    private final long prefix;
    private final AtomicLong suffix;

    public IdGenerator(long memberId, long nowMillis) {
        this.prefix = (memberId & 0xffffL) << (TS_BITS + COUNT_BITS);
        this.suffix = new AtomicLong((nowMillis & ((1L << TS_BITS) - 1)) << COUNT_BITS);
    }

    /** A request id: all 64 bits, never zero (zero means "nobody waits"). */
    public long nextRequestId() {
        while (true) {
            long id = prefix | (suffix.incrementAndGet() & SUFFIX_MASK);
            if (id != 0) return id;
        }
    }

    /** Whether this generator (this member, since its start) could have made a request id. */
    public boolean isMine(long requestId) {
        return requestId != 0 && (requestId & ~SUFFIX_MASK) == prefix;
    }

    /** A lease id: positive (etcd masks the sign bit) and never zero (zero means "no lease"). */
    public long nextLeaseId() {
        while (true) {
            long id = (prefix | (suffix.incrementAndGet() & SUFFIX_MASK)) & Long.MAX_VALUE;
            if (id != 0) return id;
        }
    }
}
