package io.understudy.workload;

/**
 * One request as the client saw it, from the moment it was sent to the moment its outcome was
 * known. Times are {@link System#nanoTime()} of the client process. A write that failed and was
 * sent again is one op per attempt, with the same seq, id, key and body.
 *
 * @param kind       a keyed write, or a read of an object acknowledged earlier
 * @param seq        the write's number in the run (ids sort in this order); a read carries the seq of the write it reads
 * @param attempt    1 for the first send of a write, 2 for its first retry, ...; 1 for reads
 * @param id         the object id, written by exactly one logical write of the whole run
 * @param key        the {@code Idempotency-Key} it carried (null for reads)
 * @param body       the JSON body sent, or for a read the body expected back
 * @param createOnly sent with {@code If-None-Match: *}: applying it twice would answer 412
 * @param status     HTTP status, or 0 when no response arrived
 * @param outcome    {@link #ACKED}, or the failure class ({@code switch_down}, {@code timeout},
 *                   {@code io}, {@code <status>:<error>}; for reads also {@link #MISSING} and {@link #WRONG_BODY})
 * @param epoch      the {@code X-Understudy-Served-Epoch} of the response, -1 without one
 * @param node       the {@code X-Understudy-Node} of the response, null without one
 * @param replayed   the node answered from its idempotency store
 */
public record Op(Kind kind, long seq, int attempt, String id, String key, String body, boolean createOnly, long startNanos,
                 long endNanos, int status, String outcome, long epoch, String node, boolean replayed) {

    /** What the request was. */
    public enum Kind {
        /** A keyed PUT of a new object. */
        WRITE,
        /** A GET of an object whose write was acknowledged, expecting its body. */
        READ
    }

    public static final String ACKED = "acked";
    /** A read of an acknowledged write answered 404. */
    public static final String MISSING = "missing";
    /** A read of an acknowledged write answered 200 with another body. */
    public static final String WRONG_BODY = "wrong_body";

    /** A write attempt. */
    public static Op write(long seq, int attempt, String id, String key, String body, boolean createOnly, long startNanos,
                           long endNanos, int status, String outcome, long epoch, String node, boolean replayed) {
        return new Op(Kind.WRITE, seq, attempt, id, key, body, createOnly, startNanos, endNanos, status, outcome, epoch, node,
                replayed);
    }

    /** Succeeded: a write acknowledged, or a read that returned the acknowledged body. */
    public boolean acked() {
        return ACKED.equals(outcome);
    }

    public boolean isWrite() {
        return kind == Kind.WRITE;
    }

    public long latencyNanos() {
        return endNanos - startNanos;
    }
}
