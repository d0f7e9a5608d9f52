package io.understudy.replicator;

import java.time.Duration;

/**
 * Bounded exponential back-off between reconnect attempts: {@code initial}, doubling up to {@code max}; back to
 * {@code initial} after the stream streamed again. Pure and not thread-safe (the engine thread owns it).
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;
    private Duration next;
    private int attempt;

    Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    /** The delay before the next attempt; each call counts one attempt and doubles the following delay, up to max. */
    Duration next() {
        Duration now = next;
        attempt++;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return now;
    }

    /** Attempts since the last {@link #reset}, including the one {@link #next} just announced. */
    int attempt() {
        return attempt;
    }

    /** The stream works again: the next failure starts over at {@code initial}. */
    void reset() {
        next = initial;
        attempt = 0;
    }
}
