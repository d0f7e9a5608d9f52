package io.understudy.chaos;

/**
 * One write request as the client saw it, from the moment it was sent to the moment its outcome
 * was known. Times are {@link System#nanoTime()} of the chaos process.
 *
 * @param seq        the request's number in the run (ids sort in this order)
 * @param id         the object id, written by exactly one request of the whole run
 * @param key        the {@code Idempotency-Key} it carried
 * @param body       the JSON body sent
 * @param createOnly sent with {@code If-None-Match: *}: applying it twice would answer 412
 * @param status     HTTP status, or 0 when no response arrived
 * @param outcome    {@link #ACKED}, or the failure class ({@code switch_down}, {@code timeout},
 *                   {@code io}, {@code <status>:<error>})
 * @param epoch      the {@code X-Understudy-Served-Epoch} of the response, -1 without one
 * @param node       the {@code X-Understudy-Node} of the response, null without one
 * @param replayed   the node answered from its idempotency store
 */
public record Op(long seq, String id, String key, String body, boolean createOnly, long startNanos, long endNanos, int status,
                 String outcome, long epoch, String node, boolean replayed) {

    public static final String ACKED = "acked";

    public boolean acked() {
        return ACKED.equals(outcome);
    }
}
