package io.vetcd.lease;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A min-heap of (lease id, expiry) with one entry per lease, so a renew moves
 * the lease's entry instead of piling up stale ones (etcd's
 * LeaseExpiredNotifier). Not thread-safe: the {@link Lessor} guards it.
 */
public final class LeaseExpiryQueue {
    private long[] ids = new long[16];
    private long[] expiries = new long[16];
    private final Map<Long, Integer> position = new HashMap<>();
    private int size;

    public int size() { return size; }

    public boolean isEmpty() { return size == 0; }

    public boolean contains(long id) { return position.containsKey(id); }

    /** Adds the lease or moves its entry to the new expiry. */
    public void upsert(long id, long expiryNanos) {
        Integer at = position.get(id);
        if (at != null) {
            long old = expiries[at];
            expiries[at] = expiryNanos;
            if (expiryNanos < old) up(at); else down(at);
            return;
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            expiries = Arrays.copyOf(expiries, size * 2);
        }
        ids[size] = id;
        expiries[size] = expiryNanos;
        position.put(id, size);
        up(size++);
    }

    public void remove(long id) {
        Integer at = position.remove(id);
        if (at == null) return;
        int last = --size;
        if (at != last) {
            move(last, at);
            down(at);
            up(at);
        }
    }

    /** Id of the lease that expires first; only when not empty. */
    public long peekId() { return ids[0]; }

    /** Expiry of the lease that expires first; only when not empty. */
    public long peekExpiry() { return expiries[0]; }

    public void clear() {
        position.clear();
        size = 0;
    }

    private void up(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (expiries[parent] <= expiries[i]) break;
            swap(i, parent);
            i = parent;
        }
    }

    private void down(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) break;
            int min = (l + 1 < size && expiries[l + 1] < expiries[l]) ? l + 1 : l;
            if (expiries[i] <= expiries[min]) break;
            swap(i, min);
            i = min;
        }
    }

    private void swap(int a, int b) {
        long id = ids[a], e = expiries[a];
        ids[a] = ids[b];
        expiries[a] = expiries[b];
        ids[b] = id;
        expiries[b] = e;
        position.put(ids[a], a);
        position.put(ids[b], b);
    }

    private void move(int from, int to) {
        ids[to] = ids[from];
        expiries[to] = expiries[from];
        position.put(ids[to], to);
    }
}
