package io.understudy.node.replication;

/**
 * Pure: where a new primary moves one sequence before it opens its write gate. Logical decoding carries no sequence
 * values, so a secondary's sequences stand wherever its own history left them. Two things say how far the old primary
 * went: the highest value in the columns the sequence fills (every replicated row the new primary holds), and the
 * old primary's last mark in {@code understudy.sequence_marks} (values it handed out for rows not replicated, for
 * rows the stream lost in async mode, or used outside any table). Values handed out after the last mark and never
 * replicated are covered by the gap. See docs/replication-scope.md for why this is enough.
 */
public final class SequenceFloor {

    /**
     * One sequence as the new primary sees it.
     *
     * @param lastValue    its {@code last_value}, null if it never handed one out here
     * @param increment    its increment; negative for a descending sequence
     * @param maxInColumns the highest (lowest, descending) value in the columns whose default uses it, null if none
     * @param mark         the old primary's last recorded value, null if none
     */
    public record Seen(String name, Long lastValue, long increment, long minValue, long maxValue, Long maxInColumns, Long mark) {
    }

    /** What to do with the sequence. */
    public sealed interface Verdict {
        /** {@code setval(sequence, value)}: the next {@code nextval} is past it. */
        record Advance(long value, String reason) implements Verdict {
        }

        /** Leave it: it is already past every value known to be used, or none is. */
        record Keep(String reason) implements Verdict {
        }
    }

    private SequenceFloor() {
    }

    public static Verdict decide(Seen s, long gap) {
        boolean up = s.increment() > 0;
        Long used = furthest(up, s.maxInColumns(), s.mark());
        if (used == null) {
            return new Verdict.Keep(s.name() + ": no value known to be used");
        }
        String evidence = "highest in its columns " + s.maxInColumns() + ", old primary's mark " + s.mark() + ", gap " + gap;
        long wanted = up ? saturatedAdd(used, gap) : saturatedAdd(used, -gap);
        if (s.lastValue() != null && (up ? s.lastValue() >= wanted : s.lastValue() <= wanted)) {
            return new Verdict.Keep(s.name() + ": already at " + s.lastValue() + " (" + evidence + ")");
        }
        long bound = up ? s.maxValue() : s.minValue();
        if (up ? wanted > bound : wanted < bound) {
            return new Verdict.Advance(bound, s.name() + ": to its limit " + bound + " (" + evidence + "); its next value fails");
        }
        String from = s.lastValue() == null ? "never used here" : Long.toString(s.lastValue());
        return new Verdict.Advance(wanted, s.name() + ": " + from + " -> " + wanted + " (" + evidence + ")");
    }

    private static Long furthest(boolean up, Long a, Long b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return up ? Math.max(a, b) : Math.min(a, b);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }
}
