package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.proxy.RetryPolicy.Failure;

/**
 * How far one attempt at a node has got: a value, replaced at every step. What the attempt may do
 * next (pool its connection, fail over, give up on the node) is read from it, never from loose flags.
 *
 * @param connection where the request goes: still opening, a new connection, or one from the pool
 * @param request    how much of the request the node may have seen
 * @param response   how much of the node's answer has gone on to the client
 * @param over       the attempt ended (answered, failed, abandoned or timed out); later callbacks are ignored
 */
record AttemptState(Connection connection, Request request, Response response, boolean over) {

    /** The connection an attempt uses. */
    enum Connection {
        /** Not connected yet. */
        OPENING,
        /** Opened for this attempt. */
        FRESH,
        /** Kept alive from an earlier exchange: the node may have closed it meanwhile. */
        POOLED
    }

    /** The request's way to the node. */
    enum Request {
        /** Not handed to a connection yet: no node has seen any of it. */
        NOT_HANDED_OVER,
        /** Handed to the connection: from here on the node may have seen it. */
        HANDED_OVER,
        /** Completely written and flushed, body included. */
        SENT
    }

    /** The node's answer, as the client sees it. */
    enum Response {
        /** Nothing of it went to the client. */
        NONE,
        /** Its status and headers went to the client; its body is being copied. */
        RELAYING,
        /** All of it went to the client. */
        COMPLETE
    }

    static final AttemptState OPENING = new AttemptState(Connection.OPENING, Request.NOT_HANDED_OVER, Response.NONE, false);

    AttemptState connected(boolean pooled) {
        return new AttemptState(pooled ? Connection.POOLED : Connection.FRESH, request, response, over);
    }

    AttemptState handedOver() {
        return new AttemptState(connection, Request.HANDED_OVER, response, over);
    }

    AttemptState sent() {
        return new AttemptState(connection, Request.SENT, response, over);
    }

    AttemptState relaying() {
        return new AttemptState(connection, request, Response.RELAYING, over);
    }

    AttemptState answered() {
        return new AttemptState(connection, request, Response.COMPLETE, over);
    }

    AttemptState ended() {
        return over ? this : new AttemptState(connection, request, response, true);
    }

    boolean pooled() {
        return connection == Connection.POOLED;
    }

    /** The node's answer reaches the client: the attempt can no longer fail over. */
    boolean relayStarted() {
        return response != Response.NONE;
    }

    /** How the attempt failed if its connection breaks now. */
    Failure broken() {
        return request == Request.NOT_HANDED_OVER ? Failure.NOT_SENT : Failure.LOST_IN_FLIGHT;
    }

    /**
     * Whether the connection may serve another exchange when the client's is over: the request
     * went out whole and the answer came back whole, so nothing of this exchange is left on it.
     */
    boolean reusable() {
        return !over && request == Request.SENT && response == Response.COMPLETE;
    }

    /**
     * Whether a connection that carried a refusal (a complete answer the client never sees) may
     * serve another exchange: only once the request went out whole.
     */
    boolean reusableAfterRefusal() {
        return request == Request.SENT;
    }

    /** How the attempt fails if a newer epoch takes over now, or null when its answer is already on its way. */
    Failure superseded() {
        return RetryPolicy.superseded(request != Request.NOT_HANDED_OVER, relayStarted());
    }
}
