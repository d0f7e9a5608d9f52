package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.http.JsonResponses;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.xnio.XnioExecutor;

/**
 * Requests waiting for a primary that can take them. Nothing blocks and nothing polls: a held
 * exchange is parked (no thread waits on it), one IO-thread timer answers 503 at its deadline,
 * and {@link #release(Backend)} (called when the route changes) resumes it on its IO thread.
 *
 * <p>The deadline is per request, set the first time it is held: a request held again (the new
 * primary refused the connection too) keeps the time it has left, never more.
 */
public final class HoldQueue {

    /** Continues a released request towards {@code backend}; runs on the exchange's IO thread. */
    @FunctionalInterface
    public interface Resume {
        void resume(HttpServerExchange exchange, Backend backend);
    }

    private static final AttachmentKey<Long> DEADLINE_NANOS = AttachmentKey.create(Long.class);

    private final long holdTimeoutMs;
    private final int maxHeld;
    private final Supplier<Backend> current;
    private final Supplier<String> whyNoPrimary;
    private final Queue<Held> held = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param current      the backend requests go to now, or null
     * @param whyNoPrimary the reason there is none, for the 503 message
     */
    public HoldQueue(long holdTimeoutMs, int maxHeld, Supplier<Backend> current, Supplier<String> whyNoPrimary) {
        this.holdTimeoutMs = holdTimeoutMs;
        this.maxHeld = maxHeld;
        this.current = current;
        this.whyNoPrimary = whyNoPrimary;
    }

    /**
     * Parks {@code exchange} until a backend other than {@code excluded} is current, or answers 503
     * when the queue is full or the request's hold time is used up. Call it where the exchange
     * may be written to and is not inside a handler call (a dispatched task or a proxy callback).
     *
     * @param excluded the backend that just refused this request, or null
     */
    public void hold(HttpServerExchange exchange, Backend excluded, Resume resume) {
        long now = System.nanoTime();
        Long deadline = exchange.getAttachment(DEADLINE_NANOS);
        if (deadline == null) {
            deadline = now + TimeUnit.MILLISECONDS.toNanos(holdTimeoutMs);
            exchange.putAttachment(DEADLINE_NANOS, deadline);
        }
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - now);
        if (closed) {
            JsonResponses.noPrimary(exchange, "the switch is shutting down");
            return;
        }
        if (remainingMs <= 0) {
            JsonResponses.noPrimary(exchange, timeoutMessage(excluded));
            return;
        }
        if (count.incrementAndGet() > maxHeld) {
            count.decrementAndGet();
            JsonResponses.noPrimary(exchange, "no live primary (" + whyNoPrimary.get() + ") and " + maxHeld
                    + " requests are already waiting for one");
            return;
        }
        Held entry = new Held(exchange, excluded, resume);
        held.add(entry);
        entry.timer = exchange.getIoThread().executeAfter(() -> expire(entry), remainingMs, TimeUnit.MILLISECONDS);
        // the route may have changed between the caller's look and the add above
        Backend latest = current.get();
        if (latest != null && latest != excluded) {
            take(entry, latest);
        }
    }

    /** Resumes every held request that may go to {@code backend}. Any thread. */
    public void release(Backend backend) {
        if (backend == null) {
            return;
        }
        for (Held entry : held) {
            if (entry.excluded != backend) {
                take(entry, backend);
            }
        }
    }

    /** Requests waiting now. */
    public int size() {
        return count.get();
    }

    /** Answers 503 to everything held and to anything held later. */
    public void close() {
        closed = true;
        for (Held entry : held) {
            if (claim(entry)) {
                entry.exchange.getIoThread().execute(
                        () -> JsonResponses.noPrimary(entry.exchange, "the switch is shutting down"));
            }
        }
    }

    private void take(Held entry, Backend backend) {
        if (claim(entry)) {
            entry.exchange.getIoThread().execute(() -> {
                if (entry.exchange.getConnection().isOpen()) {
                    entry.resume.resume(entry.exchange, backend);
                }
            });
        }
    }

    private void expire(Held entry) {
        if (claim(entry) && entry.exchange.getConnection().isOpen()) {
            JsonResponses.noPrimary(entry.exchange, timeoutMessage(entry.excluded));
        }
    }

    /** Exactly one of release, timeout and close wins each entry. */
    private boolean claim(Held entry) {
        if (!entry.done.compareAndSet(false, true)) {
            return false;
        }
        held.remove(entry);
        count.decrementAndGet();
        XnioExecutor.Key timer = entry.timer;
        if (timer != null) {
            timer.remove();
        }
        return true;
    }

    private String timeoutMessage(Backend excluded) {
        String why = excluded != null
                ? "primary " + excluded.label() + " did not accept the connection"
                : whyNoPrimary.get();
        return "no live primary within " + holdTimeoutMs + " ms (" + why + ")";
    }

    private static final class Held {
        final HttpServerExchange exchange;
        final Backend excluded;
        final Resume resume;
        final AtomicBoolean done = new AtomicBoolean();
        volatile XnioExecutor.Key timer;

        Held(HttpServerExchange exchange, Backend excluded, Resume resume) {
            this.exchange = exchange;
            this.excluded = excluded;
            this.resume = resume;
        }
    }
}
