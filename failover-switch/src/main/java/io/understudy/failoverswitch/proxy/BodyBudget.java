package io.understudy.failoverswitch.proxy;

import java.util.concurrent.atomic.AtomicLong;

/** Bytes of request bodies kept in memory for retries, by all requests together. Any thread. */
public final class BodyBudget {

    private final long max;
    private final AtomicLong used = new AtomicLong();

    public BodyBudget(long max) {
        this.max = max;
    }

    /** Takes {@code bytes} if they fit; false means the body must be streamed instead. */
    boolean reserve(long bytes) {
        long now;
        do {
            now = used.get();
            if (now + bytes > max) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    public long used() {
        return used.get();
    }
}
