package io.understudy.node.role;

/**
 * How long a promotion waits for its drain of the old primary's stream. A failed drain restarts the stream, and on a
 * loaded machine the restart alone can take longer than the configured wait, so a fixed wait can fail forever:
 * each consecutive failure against the same primary doubles the wait, up to {@link #MAX_FACTOR} times the configured
 * one; a completed drain or another primary starts again from the configured wait. Only the wait grows: a promotion
 * still needs a complete drain. Immutable; the event thread keeps the latest.
 *
 * @param sourceId the primary and epoch ({@code a@1}) the failures were against, or null
 * @param failures consecutive drains of {@code sourceId} that ran out of time
 */
public record DrainPatience(String sourceId, int failures) {

    public static final DrainPatience NONE = new DrainPatience(null, 0);
    /** The wait never grows beyond this many times the configured one. */
    public static final int MAX_FACTOR = 16;
    /** The longest wait, whatever the configured one (the bound of {@code replication.drainTimeoutMs}). */
    public static final long MAX_WAIT_MS = 600_000;

    /** The wait for the next drain of {@code source}, given the configured {@code baseMs}. */
    public long waitMs(String source, long baseMs) {
        int doublings = source.equals(sourceId) ? Math.min(failures, Integer.numberOfTrailingZeros(MAX_FACTOR)) : 0;
        return Math.min(baseMs << doublings, Math.max(baseMs, MAX_WAIT_MS));
    }

    /** After a drain of {@code source} that ran out of time. */
    public DrainPatience failed(String source) {
        return new DrainPatience(source, source.equals(sourceId) ? failures + 1 : 1);
    }
}
