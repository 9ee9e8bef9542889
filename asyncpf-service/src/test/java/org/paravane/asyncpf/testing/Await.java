package org.paravane.asyncpf.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in a test for another thread's effect, bounded so that a lost wake fails the test instead of hanging it. */
public final class Await {
    private Await() {
    }

    /** Spins (yielding) until {@code condition} holds; fails after 10 s naming {@code what} was awaited. */
    public static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
