package io.vetcd.metrics;

import java.util.concurrent.atomic.DoubleAdder;

/** A monotonically increasing value; striped, so concurrent increments do not contend. */
public final class Counter {
    private final DoubleAdder value = new DoubleAdder();

    public void inc() { value.add(1); }

    public void add(double delta) {
        if (delta < 0) throw new IllegalArgumentException("counters only go up");
        value.add(delta);
    }

    public double get() { return value.sum(); }
}
