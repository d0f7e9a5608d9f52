package io.understudy.launcher;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition on the calling thread until it holds or a deadline passes (monotonic clock). */
final class Waiter {

    private Waiter() {
    }

    /**
     * Blocks until {@code condition} returns true.
     *
     * @throws IllegalStateException naming {@code what} when {@code timeout} passes first
     * @throws IllegalStateException when interrupted (the interrupt flag is restored)
     */
    static void await(String what, Duration timeout, Duration every, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("gave up after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }
}
