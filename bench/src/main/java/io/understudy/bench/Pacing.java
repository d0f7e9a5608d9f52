package io.understudy.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The turns of a bounded load shared by its workers: paced at a fixed rate (open loop: turn i is due at start +
 * i/rate, a late turn goes at once) or, at rate 0, as fast as the workers take them; no turn after the duration,
 * nor after a given number of turns.
 */
final class Pacing {

    private final AtomicLong next = new AtomicLong();
    private final int rate;
    private final long total;
    private final long start = System.nanoTime();
    private final long end;

    Pacing(int rate, Duration duration) {
        this(rate, rate > 0 ? (long) rate * duration.toSeconds() : Long.MAX_VALUE, duration);
    }

    /** {@code turns} turns at most, and none after {@code duration}. */
    Pacing(int rate, long turns, Duration duration) {
        this.rate = rate;
        this.total = turns;
        this.end = start + duration.toNanos();
    }

    /** Waits until the next turn is due and returns its number, or -1 once the load is over. */
    long nextTurn() {
        long i = next.getAndIncrement();
        long due = rate > 0 ? start + i * 1_000_000_000L / rate : System.nanoTime();
        if (i >= total || due >= end || System.nanoTime() >= end) {
            return -1;
        }
        LockSupport.parkNanos(due - System.nanoTime()); // pacing the open loop, not synchronisation
        return i;
    }

    long start() {
        return start;
    }
}
