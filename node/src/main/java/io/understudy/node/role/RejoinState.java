package io.understudy.node.role;

/**
 * What a node knows about rejoining after it was primary, as plain values.
 *
 * @param unresolvedEpoch the epoch this node's database last took writes in as primary, while no divergence check
 *                        has resolved it yet (persisted, so a restarted old primary still knows); 0 for none
 * @param verdict         the last divergence check's outcome, or null before any
 */
public record RejoinState(long unresolvedEpoch, Verdict verdict) {

    public static final RejoinState NONE = new RejoinState(0, null);

    /**
     * The outcome of comparing what this node committed in its last epoch with the position the new primary was
     * promoted from.
     *
     * @param primarySourceId the primary checked against ({@code <nodeId>@<epoch>}); a verdict holds only for it
     * @param diverged        this node holds transactions the new primary does not (or it cannot prove otherwise)
     * @param seeded          not diverged and the stream may resume where the new primary began, without a fresh copy
     * @param reason          for the log and history: what was found and where it was quarantined
     */
    public record Verdict(String primarySourceId, boolean diverged, boolean seeded, String reason) {
    }

    /** Whether this node must check for divergence before it follows anyone. */
    public boolean pending() {
        return unresolvedEpoch > 0 || verdict != null;
    }
}
