package io.understudy.node.election;

/**
 * This node's claim on {@code /primary} does not hold: a conditional write lost to another node,
 * or the record no longer names this node in its epoch. Nothing was written.
 */
public final class ClaimLostException extends Exception {

    public ClaimLostException(String message) {
        super(message);
    }
}
