package io.vetcd.lease;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Server-assigned lease ids, unique across members and restarts the way
 * etcd's idutil makes request ids: the member id's low 16 bits on top, then a
 * millisecond timestamp shifted left by 8 plus a counter. Ids are positive
 * (etcd masks the sign bit) and never zero (zero means "no lease").
 */
public final class LeaseIdGenerator {
    private static final int TS_BITS = 40;
    private static final int COUNT_BITS = 8;
    private static final long SUFFIX_MASK = (1L << (TS_BITS + COUNT_BITS)) - 1;

    private final long prefix;
    private final AtomicLong suffix;

    public LeaseIdGenerator(long memberId, long nowMillis) {
        this.prefix = (memberId & 0xffffL) << (TS_BITS + COUNT_BITS);
        this.suffix = new AtomicLong((nowMillis & ((1L << TS_BITS) - 1)) << COUNT_BITS);
    }

    public long next() {
        while (true) {
            long id = (prefix | (suffix.incrementAndGet() & SUFFIX_MASK)) & Long.MAX_VALUE;
            if (id != 0) return id;
        }
    }
}
