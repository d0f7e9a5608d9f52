package io.understudy.workload;

import java.util.List;

/** The longest stretch without an acknowledged write, which is how long clients could not write. Pure. */
public final class AckGaps {

    /**
     * @param fromNanos start of the gap: the acknowledgement before it, or the window's start
     * @param toNanos   end of the gap: the first acknowledgement after it, or the window's end
     */
    public record Gap(long fromNanos, long toNanos) {
        public long millis() {
            return (toNanos - fromNanos) / 1_000_000;
        }
    }

    private AckGaps() {
    }

    /**
     * The longest time in {@code [from, to]} without an acknowledged write: from {@code from} to the
     * first acknowledgement, between consecutive ones, and from the last one to {@code to}. Only
     * write acknowledgements that arrived inside the window count; ties go to the earliest gap.
     */
    public static Gap longest(List<Op> ops, long from, long to) {
        List<Long> ends = ops.stream().filter(op -> op.isWrite() && op.acked()).map(Op::endNanos)
                .filter(t -> t >= from && t <= to).sorted().toList();
        Gap longest = new Gap(from, from);
        long previous = from;
        for (long end : ends) {
            if (end - previous > longest.toNanos() - longest.fromNanos()) {
                longest = new Gap(previous, end);
            }
            previous = end;
        }
        if (to - previous > longest.toNanos() - longest.fromNanos()) {
            longest = new Gap(previous, to);
        }
        return longest;
    }
}
