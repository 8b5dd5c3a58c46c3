package io.vetcd.metrics;

import java.util.Arrays;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** Fixed-bucket histogram as Prometheus defines it: cumulative buckets, sum and count. */
public final class Histogram {
    private final double[] upperBounds;
    private final LongAdder[] counts; // per bucket, not cumulative; the last is +Inf
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(double[] upperBounds) {
        this.upperBounds = upperBounds;
        this.counts = new LongAdder[upperBounds.length + 1];
        for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
    }

    public void observe(double v) {
        int i = Arrays.binarySearch(upperBounds, v);
        counts[i >= 0 ? i : -i - 1].increment();
        sum.add(v);
    }

    /** Observes the seconds elapsed since {@code startNanos} (a {@link System#nanoTime()} reading). */
    public void observeSecondsSince(long startNanos) {
        observe((System.nanoTime() - startNanos) / 1e9);
    }

    double[] upperBounds() { return upperBounds; }

    long[] cumulativeCounts() {
        long[] out = new long[counts.length];
        long running = 0;
        for (int i = 0; i < counts.length; i++) {
            running += counts[i].sum();
            out[i] = running;
        }
        return out;
    }

    double sum() { return sum.sum(); }

    /** Prometheus's ExponentialBuckets: {@code count} bounds from {@code start}, each {@code factor} times the last. */
    public static double[] exponentialBuckets(double start, double factor, int count) {
        double[] b = new double[count];
        double v = start;
        for (int i = 0; i < count; i++) {
            b[i] = v;
            v *= factor;
        }
        return b;
    }

    /** client_golang's DefBuckets, used by go-grpc-prometheus's handling-time histogram. */
    public static final double[] DEFAULT_BUCKETS = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
}
