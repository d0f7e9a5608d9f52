package io.understudy.node.election;

/** The conditional write of {@code /primary} lost: another node changed it first. Nothing was written. */
public final class PromotionLostException extends Exception {

    public PromotionLostException(String message) {
        super(message);
    }
}
