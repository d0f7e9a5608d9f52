package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.http.JsonResponses;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
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
 * primary refused it too) keeps the time it has left, never more. A client that hangs up while
 * held frees its place at once.
 *
 * <p>A request that the current primary refused (421, 503 not_primary: its write gate was shut)
 * or committed and could not acknowledge (when sending it twice is harmless) is also offered
 * to that same primary again after a short back-off ({@link #RETRY_SAME_MIN_MS} doubling up to
 * {@link #RETRY_SAME_MAX_MS}) while it stays current: a primary whose write gate is shut for a
 * moment (its ZooKeeper client reconnecting after losing a ZooKeeper server) reopens it without
 * any change of route that would release the request, and such a refusal is always safe to retry.
 */
public final class HoldQueue {

    /** Continues a released request towards {@code backend}; runs on the exchange's IO thread. */
    @FunctionalInterface
    public interface Resume {
        void resume(HttpServerExchange exchange, Backend backend);
    }

    /** @param holdTimeoutMs per request, in total; @param maxHeld requests waiting at once */
    public record Bounds(long holdTimeoutMs, int maxHeld) {
    }

    /** How a hold ended. */
    public enum Outcome {
        /** A primary appeared and the request went on to it. */
        RELEASED,
        /** The hold time ran out: 503. */
        TIMED_OUT,
        /** The queue was full: 503 at once. */
        REJECTED,
        /** The client hung up while waiting. */
        CLIENT_GONE,
        /** The switch is closing: 503. */
        SHUTDOWN
    }

    /** Told about every hold that ends (for metrics); any thread, must not block. */
    @FunctionalInterface
    public interface Listener {
        void ended(Outcome outcome, long heldNanos);
    }

    private static final AttachmentKey<Long> DEADLINE_NANOS = AttachmentKey.create(Long.class);
    private static final AttachmentKey<Held> HELD_ON_CONNECTION = AttachmentKey.create(Held.class);
    private static final AttachmentKey<Boolean> WATCHED = AttachmentKey.create(Boolean.class);
    private static final AttachmentKey<Integer> SAME_RETRIES = AttachmentKey.create(Integer.class);
    /** First back-off before a refused request goes to the same primary again. */
    static final long RETRY_SAME_MIN_MS = 50;
    /** Longest back-off between attempts at the same primary. */
    static final long RETRY_SAME_MAX_MS = 400;

    private final Bounds bounds;
    private final Supplier<Backend> current;
    private final Supplier<String> whyNoPrimary;
    private final Listener listener;
    private final Queue<Held> held = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param current      the backend requests go to now, or null
     * @param whyNoPrimary the reason there is none, for the 503 message
     */
    public HoldQueue(Bounds bounds, Supplier<Backend> current, Supplier<String> whyNoPrimary, Listener listener) {
        this.bounds = bounds;
        this.current = current;
        this.whyNoPrimary = whyNoPrimary;
        this.listener = listener;
    }

    /**
     * Parks {@code exchange} until a backend other than {@code excluded} is current, or answers 503
     * when the queue is full or the request's hold time is used up. Call it on the exchange's IO
     * thread where the exchange may be written to and is not inside a handler call.
     *
     * @param excluded  the backend that just failed or refused this request, or null
     * @param retrySame offer it to {@code excluded} again after a back-off while that stays current
     */
    public void hold(HttpServerExchange exchange, Backend excluded, boolean retrySame, Resume resume) {
        long now = System.nanoTime();
        Long deadline = exchange.getAttachment(DEADLINE_NANOS);
        if (deadline == null) {
            deadline = now + TimeUnit.MILLISECONDS.toNanos(bounds.holdTimeoutMs());
            exchange.putAttachment(DEADLINE_NANOS, deadline);
        }
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - now);
        if (closed) {
            JsonResponses.noPrimary(exchange, "the switch is shutting down");
            listener.ended(Outcome.SHUTDOWN, 0);
            return;
        }
        if (remainingMs <= 0) {
            JsonResponses.noPrimary(exchange, timeoutMessage(excluded));
            listener.ended(Outcome.TIMED_OUT, 0);
            return;
        }
        if (count.incrementAndGet() > bounds.maxHeld()) {
            count.decrementAndGet();
            JsonResponses.noPrimary(exchange, "no primary takes requests now (" + whyNoPrimary.get() + ") and "
                    + bounds.maxHeld() + " requests are already waiting for one");
            listener.ended(Outcome.REJECTED, 0);
            return;
        }
        Held entry = new Held(exchange, excluded, resume, now);
        held.add(entry);
        watchConnection(exchange.getConnection(), entry);
        entry.timer = exchange.getIoThread().executeAfter(() -> expire(entry), remainingMs, TimeUnit.MILLISECONDS);
        if (excluded != null && retrySame) {
            int retries = exchange.getAttachment(SAME_RETRIES) == null ? 0 : exchange.getAttachment(SAME_RETRIES);
            exchange.putAttachment(SAME_RETRIES, retries + 1);
            long backoffMs = Math.min(RETRY_SAME_MAX_MS, RETRY_SAME_MIN_MS << Math.min(retries, 8));
            if (backoffMs < remainingMs) {
                entry.retryTimer = exchange.getIoThread().executeAfter(() -> retrySame(entry), backoffMs, TimeUnit.MILLISECONDS);
            }
        }
        // the route may have changed between the caller's look and the add above
        Backend latest = current.get();
        if (latest != null && latest != excluded) {
            take(entry, latest);
        }
    }

    /** One close listener per client connection, whatever it holds at the time it closes. */
    private void watchConnection(ServerConnection connection, Held entry) {
        connection.putAttachment(HELD_ON_CONNECTION, entry);
        if (connection.putAttachment(WATCHED, Boolean.TRUE) == null) {
            connection.addCloseListener(closing -> {
                Held waiting = closing.removeAttachment(HELD_ON_CONNECTION);
                if (waiting != null && claim(waiting)) {
                    listener.ended(Outcome.CLIENT_GONE, System.nanoTime() - waiting.sinceNanos);
                }
            });
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
                listener.ended(Outcome.SHUTDOWN, System.nanoTime() - entry.sinceNanos);
                entry.exchange.getIoThread().execute(
                        () -> JsonResponses.noPrimary(entry.exchange, "the switch is shutting down"));
            }
        }
    }

    private void take(Held entry, Backend backend) {
        if (claim(entry)) {
            listener.ended(Outcome.RELEASED, System.nanoTime() - entry.sinceNanos);
            entry.exchange.getIoThread().execute(() -> {
                if (entry.exchange.getConnection().isOpen()) {
                    entry.resume.resume(entry.exchange, backend);
                }
            });
        }
    }

    /** The back-off after a refusal ran out: offer the request to whichever primary is current, the same one included. */
    private void retrySame(Held entry) {
        Backend latest = current.get();
        if (latest != null) {
            take(entry, latest);
        }
    }

    private void expire(Held entry) {
        if (claim(entry)) {
            listener.ended(Outcome.TIMED_OUT, System.nanoTime() - entry.sinceNanos);
            if (entry.exchange.getConnection().isOpen()) {
                JsonResponses.noPrimary(entry.exchange, timeoutMessage(entry.excluded));
            }
        }
    }

    /** Exactly one of release, timeout, hang-up and close wins each entry. */
    private boolean claim(Held entry) {
        if (!entry.done.compareAndSet(false, true)) {
            return false;
        }
        held.remove(entry);
        count.decrementAndGet();
        entry.exchange.getConnection().removeAttachment(HELD_ON_CONNECTION);
        XnioExecutor.Key timer = entry.timer;
        if (timer != null) {
            timer.remove();
        }
        XnioExecutor.Key retryTimer = entry.retryTimer;
        if (retryTimer != null) {
            retryTimer.remove();
        }
        return true;
    }

    private String timeoutMessage(Backend excluded) {
        String why = excluded != null
                ? "primary " + excluded.label() + " did not take the request"
                : whyNoPrimary.get();
        return "no primary took the request within " + bounds.holdTimeoutMs() + " ms (" + why + ")";
    }

    private static final class Held {
        final HttpServerExchange exchange;
        final Backend excluded;
        final Resume resume;
        final long sinceNanos;
        final AtomicBoolean done = new AtomicBoolean();
        volatile XnioExecutor.Key timer;
        volatile XnioExecutor.Key retryTimer;

        Held(HttpServerExchange exchange, Backend excluded, Resume resume, long sinceNanos) {
            this.exchange = exchange;
            this.excluded = excluded;
            this.resume = resume;
            this.sinceNanos = sinceNanos;
        }
    }
}
