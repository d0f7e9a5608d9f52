package io.understudy.node.supervise;

/**
 * When a supervised application that exited by itself is started again. Pure.
 *
 * <p>The first restart waits {@code app.restartBackoffMs}; each further exit in a row doubles the wait, up to
 * {@link #MAX_BACKOFF_MS} (or the base, if that is longer). A run that lasted {@link #stableMillis} counts as
 * healthy: the next exit starts again from the base, so an application that crashes once a day is not
 * punished for the crashes of last week, and one that crashes at start does not spin.
 */
public final class RestartPolicy {

    public static final long MAX_BACKOFF_MS = 60_000;

    private RestartPolicy() {
    }

    /** Exits in a row after an exit that ended a run of {@code ranForMs}, given {@code previous} before it. */
    public static int failuresAfterExit(int previous, long ranForMs, long baseMs) {
        return ranForMs >= stableMillis(baseMs) ? 1 : previous + 1;
    }

    /** How long to wait before the start that follows the {@code failures}-th exit in a row (1-based). */
    public static long delayMillis(int failures, long baseMs) {
        long cap = Math.max(baseMs, MAX_BACKOFF_MS);
        long delay = baseMs;
        for (int i = 1; i < failures && delay < cap; i++) {
            delay *= 2;
        }
        return Math.min(delay, cap);
    }

    /** A run this long was healthy: ten times the base, at least 10 s. */
    public static long stableMillis(long baseMs) {
        return Math.max(10_000, 10 * baseMs);
    }
}
