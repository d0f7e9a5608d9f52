package io.understudy.cluster;

/** HTTP header names shared by the switch and the node. */
public final class Headers {

    /** The epoch the switch believes current; a node serving another epoch refuses the request. */
    public static final String EPOCH = "X-Understudy-Epoch";
    /** The epoch of the node that answered. */
    public static final String SERVED_EPOCH = "X-Understudy-Served-Epoch";
    /** The node that answered. */
    public static final String NODE = "X-Understudy-Node";
    /**
     * On every response a node's application gateway relays from the application (value {@code relayed}): it is the
     * application's own answer, never a node's refusal, whatever its status and body say.
     */
    public static final String APPLICATION = "X-Understudy-Application";
    /** Client-chosen key that makes a write safe to retry; the node deduplicates on it. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Shared secret the switch sends to the nodes; a node configured with {@code api.token} takes writes only with it. */
    public static final String TOKEN = "X-Understudy-Token";

    private Headers() {
    }
}
