package io.understudy.failoverswitch.proxy;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Requests waiting for a primary that can take them. Nothing blocks and nothing polls: a held
 * request is parked (no thread waits on it), one timer on its own thread answers 503 at its
 * deadline, and {@link #release(Backend)} (called when the route changes) resumes it on its thread.
 *
 * <p>The deadline is per request, set the first time it is held: a request held again (the new
 * primary refused it too) keeps the time it has left, never more. A client that hangs up while
 * held frees its place at once ({@link #clientGone}).
 *
 * <p>A request held with {@code retrySame} (the routed primary refused it, or committed it and could
 * not acknowledge it, when sending it twice is harmless) is also offered to that same primary again
 * after a short back-off ({@link #RETRY_SAME_MIN_MS} doubling up to {@link #RETRY_SAME_MAX_MS}) while it
 * stays routed: a primary whose write gate is shut for a moment (its ZooKeeper client reconnecting
 * after losing a ZooKeeper server) reopens it without any change of route that would release the
 * request. During a planned hand-over the caller holds without it, and {@link #reoffer} gives such
 * requests back to a primary that kept its role after all.
 */
public final class HoldQueue {

    /**
     * A request that can wait here. The queue calls {@link #resume}, {@link #refuse} and its timers on
     * the request's own thread, through {@link #execute} and {@link #schedule}.
     */
    public abstract static class Waiter {
        /** When the request's hold time runs out, by the queue's clock; set the first time it is held. */
        private long deadlineNanos;
        private boolean everHeld;
        private int sameRetries;
        /** The entry while held, else null. */
        private volatile Entry entry;

        /** Runs {@code task} on the request's thread. Any thread. */
        protected abstract void execute(Runnable task);

        /** Runs {@code task} on the request's thread after {@code delayMs}, unless cancelled. Request's thread. */
        protected abstract Timer schedule(Runnable task, long delayMs);

        /** The client is still connected and waiting for an answer. */
        protected abstract boolean clientConnected();

        /** Continues towards {@code backend}. Request's thread. */
        protected abstract void resume(Backend backend);

        /** Answers 503 {@code no_primary} with {@code message}. Request's thread. */
        protected abstract void refuse(String message);

        /** The request starts waiting: tell {@code queue}'s {@link #clientGone} if the client hangs up. Request's thread. */
        protected abstract void watchClient(HoldQueue queue);
    }

    /** A scheduled task that can still be cancelled. */
    @FunctionalInterface
    public interface Timer {
        void cancel();
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

    /** First back-off before a refused request goes to the same primary again. */
    static final long RETRY_SAME_MIN_MS = 50;
    /** Longest back-off between attempts at the same primary. */
    static final long RETRY_SAME_MAX_MS = 400;

    private final Bounds bounds;
    private final Supplier<Backend> current;
    private final Supplier<String> whyNoPrimary;
    private final Listener listener;
    private final LongSupplier nanoClock;
    private final Queue<Entry> held = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param current      the backend requests go to now, or null
     * @param whyNoPrimary the reason there is none, for the 503 message
     * @param nanoClock    monotonic time in nanoseconds ({@code System::nanoTime})
     */
    public HoldQueue(Bounds bounds, Supplier<Backend> current, Supplier<String> whyNoPrimary, Listener listener,
            LongSupplier nanoClock) {
        this.bounds = bounds;
        this.current = current;
        this.whyNoPrimary = whyNoPrimary;
        this.listener = listener;
        this.nanoClock = nanoClock;
    }

    /**
     * Parks {@code waiter} until a backend other than {@code excluded} is routed, or answers 503 when
     * the queue is full or the request's hold time is used up. Call it on the request's thread, where
     * it may be answered.
     *
     * @param excluded  the backend that just failed or refused this request, or null
     * @param retrySame offer it to {@code excluded} again after a back-off while that stays routed
     */
    public void hold(Waiter waiter, Backend excluded, boolean retrySame) {
        long now = nanoClock.getAsLong();
        if (!waiter.everHeld) {
            waiter.everHeld = true;
            waiter.deadlineNanos = now + TimeUnit.MILLISECONDS.toNanos(bounds.holdTimeoutMs());
        }
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(waiter.deadlineNanos - now);
        if (closed) {
            waiter.refuse("the switch is shutting down");
            listener.ended(Outcome.SHUTDOWN, 0);
            return;
        }
        if (remainingMs <= 0) {
            waiter.refuse(timeoutMessage(excluded));
            listener.ended(Outcome.TIMED_OUT, 0);
            return;
        }
        if (count.incrementAndGet() > bounds.maxHeld()) {
            count.decrementAndGet();
            waiter.refuse("no primary takes requests now (" + whyNoPrimary.get() + ") and " + bounds.maxHeld()
                    + " requests are already waiting for one");
            listener.ended(Outcome.REJECTED, 0);
            return;
        }
        Entry entry = new Entry(waiter, excluded, now);
        waiter.entry = entry;
        held.add(entry);
        waiter.watchClient(this);
        entry.timer = waiter.schedule(() -> expire(entry), remainingMs);
        if (excluded != null && retrySame) {
            long backoffMs = Math.min(RETRY_SAME_MAX_MS, RETRY_SAME_MIN_MS << Math.min(waiter.sameRetries, 8));
            waiter.sameRetries++;
            if (backoffMs < remainingMs) {
                entry.retryTimer = waiter.schedule(() -> offer(entry, current.get()), backoffMs);
            }
        }
        // the route may have changed between the caller's look and the add above
        Backend latest = current.get();
        if (latest != null && latest != excluded) {
            take(entry, latest);
        }
        if (closed && claim(entry)) {
            // close() ran while this was being added and may have missed it
            listener.ended(Outcome.SHUTDOWN, nanoClock.getAsLong() - entry.sinceNanos);
            waiter.refuse("the switch is shutting down");
        }
    }

    /**
     * Resumes every held request that may go to {@code backend}: all but those it refused. Any thread.
     *
     * @return how many it resumed
     */
    public int release(Backend backend) {
        if (backend == null) {
            return 0;
        }
        int released = 0;
        for (Entry entry : held) {
            if (entry.excluded != backend && take(entry, backend)) {
                released++;
            }
        }
        return released;
    }

    /**
     * Resumes every held request towards {@code backend}, those it refused included: a hand-over it
     * announced did not happen, and it is still the primary. Any thread.
     */
    public void reoffer(Backend backend) {
        if (backend == null) {
            return;
        }
        for (Entry entry : held) {
            take(entry, backend);
        }
    }

    /** The client of {@code waiter} hung up: it leaves the queue at once if it is waiting. Any thread. */
    public void clientGone(Waiter waiter) {
        Entry entry = waiter.entry;
        if (entry != null && claim(entry)) {
            listener.ended(Outcome.CLIENT_GONE, nanoClock.getAsLong() - entry.sinceNanos);
        }
    }

    /** Requests waiting now. */
    public int size() {
        return count.get();
    }

    /** Answers 503 to everything held and to anything held later. Any thread. */
    public void close() {
        closed = true;
        for (Entry entry : held) {
            if (claim(entry)) {
                listener.ended(Outcome.SHUTDOWN, nanoClock.getAsLong() - entry.sinceNanos);
                entry.waiter.execute(() -> entry.waiter.refuse("the switch is shutting down"));
            }
        }
    }

    private boolean take(Entry entry, Backend backend) {
        if (claim(entry)) {
            listener.ended(Outcome.RELEASED, nanoClock.getAsLong() - entry.sinceNanos);
            Waiter waiter = entry.waiter;
            waiter.execute(() -> {
                if (waiter.clientConnected()) {
                    waiter.resume(backend);
                }
            });
            return true;
        }
        return false;
    }

    /** The back-off after a refusal ran out: the request goes to whichever primary is routed, the same one included. */
    private void offer(Entry entry, Backend latest) {
        if (latest != null) {
            take(entry, latest);
        }
    }

    private void expire(Entry entry) {
        if (claim(entry)) {
            listener.ended(Outcome.TIMED_OUT, nanoClock.getAsLong() - entry.sinceNanos);
            if (entry.waiter.clientConnected()) {
                entry.waiter.refuse(timeoutMessage(entry.excluded));
            }
        }
    }

    /** Exactly one of release, timeout, hang-up and close wins each entry. */
    private boolean claim(Entry entry) {
        if (!entry.done.compareAndSet(false, true)) {
            return false;
        }
        held.remove(entry);
        count.decrementAndGet();
        Waiter waiter = entry.waiter;
        if (waiter.entry == entry) {
            waiter.entry = null;
        }
        Timer timer = entry.timer;
        if (timer != null) {
            timer.cancel();
        }
        Timer retryTimer = entry.retryTimer;
        if (retryTimer != null) {
            retryTimer.cancel();
        }
        return true;
    }

    private String timeoutMessage(Backend excluded) {
        String why = excluded != null
                ? "primary " + excluded.label() + " did not take the request"
                : whyNoPrimary.get();
        return "no primary took the request within " + bounds.holdTimeoutMs() + " ms (" + why + ")";
    }

    /** One wait of one request. */
    private static final class Entry {
        final Waiter waiter;
        final Backend excluded;
        final long sinceNanos;
        final AtomicBoolean done = new AtomicBoolean();
        volatile Timer timer;
        volatile Timer retryTimer;

        Entry(Waiter waiter, Backend excluded, long sinceNanos) {
            this.waiter = waiter;
            this.excluded = excluded;
            this.sinceNanos = sinceNanos;
        }
    }
}
