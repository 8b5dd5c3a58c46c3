package io.vetcd.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Caps the bytes that streamed range answers of one member may hold at once (their write
 * windows). An answer reserves its window before its first byte is written and gives it back when
 * it ends, however it ends; answers that find the budget spent wait in arrival order, so N parallel
 * huge ranges queue instead of multiplying memory. An answer bigger than the whole budget still
 * gets a window: it waits until it can have the budget to itself.
 *
 * <p>Set with {@code -Dvetcd.range.bytesInFlight=BYTES} (suffixes k, m, g; default 64m).
 */
public final class RangeAnswerBudget {
    public static final String PROPERTY = "vetcd.range.bytesInFlight";
    static final long DEFAULT_BYTES = 64L << 20;

    private static final Map<Object, RangeAnswerBudget> BY_MEMBER = new WeakHashMap<>();

    private final long capacity;
    private long available;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

    private record Waiter(long bytes, Context ctx, Promise<Void> promise) {
    }

    RangeAnswerBudget(long capacity) {
        this.capacity = capacity;
        this.available = capacity;
    }

    /** The budget shared by every listener and event loop of one member. */
    static synchronized RangeAnswerBudget of(Object member) {
        return BY_MEMBER.computeIfAbsent(member, m -> new RangeAnswerBudget(configured()));
    }

    static long configured() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            return DEFAULT_BYTES;
        }
        try {
            return Math.max(64 * 1024, parseSize(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + "=" + v + ": expected a byte count such as 64m", e);
        }
    }

    static long parseSize(String v) {
        char last = Character.toLowerCase(v.charAt(v.length() - 1));
        long unit = switch (last) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)) * unit;
    }

    public long capacity() {
        return capacity;
    }

    public synchronized long available() {
        return available;
    }

    /** What {@link #acquire} reserves for {@code bytes}: never more than the whole budget. */
    long grant(long bytes) {
        return Math.min(bytes, capacity);
    }

    /**
     * Completes, on the caller's context, once {@link #grant}{@code (bytes)} are reserved; the
     * caller must {@link #release} them, also when its client went away while it waited.
     */
    Future<Void> acquire(long bytes) {
        long want = grant(bytes);
        Context ctx = Vertx.currentContext();
        Promise<Void> p = Promise.promise();
        synchronized (this) {
            if (waiting.isEmpty() && available >= want) {
                available -= want;
                return Future.succeededFuture();
            }
            waiting.add(new Waiter(want, ctx, p));
        }
        return p.future();
    }

    /** Gives back a reservation and lets waiting answers in, oldest first. */
    void release(long bytes) {
        ArrayDeque<Waiter> admitted = new ArrayDeque<>();
        synchronized (this) {
            available += bytes;
            while (!waiting.isEmpty() && waiting.peek().bytes <= available) {
                Waiter w = waiting.poll();
                available -= w.bytes;
                admitted.add(w);
            }
        }
        for (Waiter w : admitted) {
            if (w.ctx == null) {
                w.promise.complete();
            } else {
                w.ctx.runOnContext(v -> w.promise.complete());
            }
        }
    }
}
