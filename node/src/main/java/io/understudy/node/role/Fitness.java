package io.understudy.node.role;

import io.understudy.cluster.MemberRecord.Candidacy;
import java.util.Objects;

/**
 * This node's own standing as a candidate for primary, beside the cluster view: its tags, its
 * database's health, and the positions the lag rule compares. Plain values, read on the event thread.
 *
 * @param tags            the node's {@code tags.*} configuration
 * @param db              whether its own database answers
 * @param primaryPosition the highest WAL position the recorded primary published in its member record
 *                        in that record's epoch (remembered after the record vanished); -1 when unknown
 *                        (e.g. this node started after the primary was gone), in which case the lag
 *                        rule cannot be applied and does not block: the ranking between candidates
 *                        still prefers the one holding the most
 * @param heldPosition    source position up to which this node holds everything of its stream
 *                        (applied transactions and processed heartbeats); 0 when unknown
 */
public record Fitness(Tags tags, DbHealth db, long primaryPosition, long heldPosition) {

    /** Default tags, a healthy database, no known primary position. */
    public static final Fitness DEFAULT = new Fitness(Tags.DEFAULT, DbHealth.HEALTHY, -1, 0);

    public Fitness {
        Objects.requireNonNull(tags, "tags");
        Objects.requireNonNull(db, "db");
    }

    /**
     * A node's {@code tags.*} settings.
     *
     * @param nofailover never become primary: not by election, bootstrap, reclaim or switchover
     * @param priority   higher is preferred between eligible candidates; 0 never promotes automatically
     *                   (election, bootstrap, reclaim) but may still be named by a switchover
     */
    public record Tags(boolean nofailover, int priority) {

        public static final Tags DEFAULT = new Tags(false, Candidacy.DEFAULT_PRIORITY);

        public Tags {
            if (priority < 0) {
                throw new IllegalArgumentException("priority must be >= 0, got " + priority);
            }
        }
    }

    /**
     * The node's own database, as its periodic probe last found it.
     *
     * @param reachable     the last probe got an answer
     * @param downForMs     how long it has not answered (0 while it answers)
     * @param failTimeoutMs {@code db.failTimeoutMs}: a primary whose database has not answered for this
     *                      long steps down
     * @param error         the last probe's error, or null
     */
    public record DbHealth(boolean reachable, long downForMs, long failTimeoutMs, String error) {

        public static final DbHealth HEALTHY = new DbHealth(true, 0, 3000, null);

        /** Not answering for {@code failTimeoutMs} or more. */
        public boolean failed() {
            return !reachable && downForMs >= failTimeoutMs;
        }

        public String describe() {
            return "database unreachable for " + downForMs + " ms" + (error == null ? "" : " (" + error + ")");
        }
    }
}
