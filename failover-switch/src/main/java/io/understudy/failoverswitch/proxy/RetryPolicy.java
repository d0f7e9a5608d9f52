package io.understudy.failoverswitch.proxy;

import io.undertow.util.HttpString;
import io.undertow.util.Methods;

/**
 * Whether a request whose attempt at a node failed may be sent again. Pure.
 *
 * <p>The rule (the README's table of what a client sees): a request that never reached a node, or that a node refused before
 * doing anything, is always retried; one that may have been applied is retried only when doing
 * it twice is harmless: an idempotent method, or an {@code Idempotency-Key} the node
 * deduplicates. Either way the body must still be available to send again.
 */
public final class RetryPolicy {

    /** How an attempt at a node ended without a response for the client. */
    public enum Failure {
        /** No connection, or the connection was closed before the request was handed to it: no node saw it. */
        NOT_SENT,
        /** The node answered 421 {@code epoch_mismatch}: it refused the request before doing anything. */
        EPOCH_MISMATCH,
        /** The node answered 503 {@code not_primary}: its write gate was closed, nothing was applied. */
        NOT_PRIMARY,
        /** The connection broke after the request was sent, before a full response: it may have been applied. */
        LOST_IN_FLIGHT,
        /**
         * The node answered 503 {@code not_acknowledged}: it committed the request but stopped being primary
         * before it could acknowledge it (a switchover, a lost session); it may have been applied, and the
         * next primary has it if it drained it.
         */
        NOT_CONFIRMED,
        /**
         * The request was sent to a node, and before any of its answer reached the client a newer epoch
         * took over (the node froze, or was cut off, and lost its session): the switch abandoned the
         * attempt. It may have been applied before the node stopped answering.
         */
        SUPERSEDED
    }

    /** What to do with the request. */
    public enum Verdict {
        /** Send it again (to the current primary, after holding if need be). */
        RETRY,
        /** Not safe: it may have been applied and doing it twice could change the outcome. */
        UNSAFE,
        /** The body was streamed to the node and is gone; the request cannot be sent again. */
        BODY_GONE,
        /**
         * Abandoned at a primary a newer epoch superseded, and not safe to send again: whether it was applied
         * is unknown, and the client is told so.
         */
        OUTCOME_UNKNOWN
    }

    /** Where a request goes after an attempt at a node ended without an answer for the client. */
    public enum Move {
        /** To the primary routed now: the route moved on while the attempt ran. */
        SEND_TO_CURRENT,
        /** To the same primary over a new connection: the kept-alive one had been closed by the node. */
        RECONNECT,
        /** Wait until another primary is routed. */
        HOLD,
        /**
         * Wait until another primary is routed, and offer it to the same primary again after a back-off
         * while that stays routed: the node refused before doing anything and its write gate may
         * reopen in the same epoch (its ZooKeeper client reconnected after losing a server).
         */
        HOLD_AND_RETRY_SAME,
        /**
         * The request made {@link #MAX_ATTEMPTS} attempts, not counting those the hold queue paced: 503, a loop beyond
         * it is a bug, not bad luck.
         */
        GIVE_UP,
        /** Not safe to send again: the client gets an error saying why (the {@link Verdict}). */
        ANSWER
    }

    /**
     * Enough for any route flapping a hold can see. Attempts sent again to the same primary after the hold queue's
     * back-off ({@link Move#HOLD_AND_RETRY_SAME}) do not count: the back-off paces them and the hold timeout ends them,
     * and a ZooKeeper quorum that takes seconds to elect a leader keeps a primary's gate shut for that long.
     */
    public static final int MAX_ATTEMPTS = 12;

    private RetryPolicy() {
    }

    /**
     * The next move for a request whose attempt failed.
     *
     * @param verdict         {@link #decide} for the failure
     * @param attemptsMade    attempts this request made, the failed one included
     * @param pacedRetries    how many times it was held to be sent again after a back-off ({@link Move#HOLD_AND_RETRY_SAME});
     *                        they do not count towards {@link #MAX_ATTEMPTS}
     * @param pooled          the failed attempt used a kept-alive connection
     * @param routeMoved      another primary is routed now than the one the attempt went to
     * @param handOverPending a planned hand-over of the primary role is under way: a primary that
     *                        refused will not reopen its gate, the new epoch's primary takes over
     */
    public static Move next(Verdict verdict, Failure failure, int attemptsMade, int pacedRetries, boolean pooled,
            boolean routeMoved, boolean handOverPending) {
        if (verdict != Verdict.RETRY) {
            return Move.ANSWER;
        }
        if (attemptsMade - pacedRetries >= MAX_ATTEMPTS) {
            return Move.GIVE_UP;
        }
        if (routeMoved) {
            return Move.SEND_TO_CURRENT;
        }
        boolean connectionBroke = failure == Failure.NOT_SENT || failure == Failure.LOST_IN_FLIGHT;
        if (pooled && connectionBroke) {
            return Move.RECONNECT;
        }
        // A node that is gone is left to the route change; one that answered "not now" (a refusal, or
        // committed but not acknowledged) may be back in the same epoch, unless it is handing over.
        return connectionBroke || failure == Failure.SUPERSEDED || handOverPending ? Move.HOLD : Move.HOLD_AND_RETRY_SAME;
    }

    /**
     * @param bodyReplayable the body is still available: none, kept in memory, or not read yet
     */
    public static Verdict decide(Failure failure, HttpString method, boolean hasIdempotencyKey, boolean bodyReplayable) {
        boolean harmlessTwice = isIdempotent(method) || hasIdempotencyKey;
        if (failure == Failure.SUPERSEDED && !(bodyReplayable && harmlessTwice)) {
            return Verdict.OUTCOME_UNKNOWN;
        }
        if (!bodyReplayable) {
            return Verdict.BODY_GONE;
        }
        return switch (failure) {
            case NOT_SENT, EPOCH_MISMATCH, NOT_PRIMARY -> Verdict.RETRY;
            case LOST_IN_FLIGHT, NOT_CONFIRMED, SUPERSEDED -> harmlessTwice ? Verdict.RETRY : Verdict.UNSAFE;
        };
    }

    /**
     * What becomes of an attempt at a node when a newer epoch takes over before the node answered.
     * Waiting would only wait out the backend timeout on a node that lost its lease (a frozen JVM
     * answers, if ever, after it wakes), and the new primary serves; so the attempt is abandoned and
     * treated like a failure of its own kind, unless the node's answer already flows to the client.
     *
     * @param requestHandedOver the request was handed to a connection: the node may have seen it
     * @param responseStarted   the node's response is being relayed to the client
     * @return how the attempt failed, or null to leave it alone (its answer is on its way)
     */
    public static Failure superseded(boolean requestHandedOver, boolean responseStarted) {
        if (responseStarted) {
            return null;
        }
        return requestHandedOver ? Failure.SUPERSEDED : Failure.NOT_SENT;
    }

    /** GET, HEAD, PUT, DELETE (and OPTIONS, TRACE): repeating them leaves the same state. */
    public static boolean isIdempotent(HttpString method) {
        return method.equals(Methods.GET) || method.equals(Methods.HEAD) || method.equals(Methods.PUT)
                || method.equals(Methods.DELETE) || method.equals(Methods.OPTIONS) || method.equals(Methods.TRACE);
    }
}
