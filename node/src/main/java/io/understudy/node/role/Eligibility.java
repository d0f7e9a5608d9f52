package io.understudy.node.role;

/** Whether a node may stand in the election (and so become primary), and why; logged when it flips. */
public record Eligibility(boolean eligible, String reason) {

    static Eligibility yes(String reason) {
        return new Eligibility(true, reason);
    }

    static Eligibility no(String reason) {
        return new Eligibility(false, reason);
    }
}
