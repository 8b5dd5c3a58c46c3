package io.vetcd.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition a test states, instead of sleeping for a duration that is only usually long
 * enough: returns as soon as it holds, fails with what was awaited when the limit passes.
 */
public final class Eventually {
    private Eventually() {}

    public static void until(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + limit.toMillis() + " ms: " + what);
            Thread.sleep(10);
        }
    }
}
