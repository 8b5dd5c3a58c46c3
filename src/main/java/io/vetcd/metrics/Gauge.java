package io.vetcd.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/** A value that goes up and down: set by its owner, or read from a supplier at scrape time. */
public final class Gauge {
    private final AtomicLong bits = new AtomicLong(Double.doubleToRawLongBits(0));
    private final DoubleSupplier supplier;

    Gauge(DoubleSupplier supplier) { this.supplier = supplier; }

    public void set(double v) { bits.set(Double.doubleToRawLongBits(v)); }

    public void inc() { add(1); }

    public void dec() { add(-1); }

    public void add(double delta) {
        long prev;
        long next;
        do {
            prev = bits.get();
            next = Double.doubleToRawLongBits(Double.longBitsToDouble(prev) + delta);
        } while (!bits.compareAndSet(prev, next));
    }

    public double get() {
        return supplier != null ? supplier.getAsDouble() : Double.longBitsToDouble(bits.get());
    }
}
