package io.understudy.node;

import java.util.concurrent.TimeUnit;

/**
 * The steps of one hand-over (a promotion, a demotion) with the time each took by the monotonic
 * clock, for one log line that says where the time went. One thread; not thread-safe.
 */
final class Laps {

    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;
    private final StringBuilder steps = new StringBuilder();

    /** Ends the step named {@code step} now. */
    void lap(String step) {
        long now = System.nanoTime();
        if (!steps.isEmpty()) {
            steps.append(", ");
        }
        steps.append(step).append(' ').append(TimeUnit.NANOSECONDS.toMillis(now - lastNanos)).append(" ms");
        lastNanos = now;
    }

    long totalMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** "{@code total} ms (step a ms, step b ms, ...)". */
    @Override
    public String toString() {
        return totalMs() + " ms (" + steps + ")";
    }
}
