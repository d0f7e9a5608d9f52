package io.understudy.launcher.cli.drill;

import io.understudy.workload.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests per fixed time slice, by when their outcome arrived: succeeded quickly, held (succeeded
 * slower than the slow threshold: the switch held them through the failover), failed. Pure.
 *
 * @param bucketMs width of a slice
 * @param buckets  consecutive slices from the start of the load
 */
public record Timeline(long bucketMs, List<Bucket> buckets) {

    /** @param startMs the slice's start, in ms since the load started */
    public record Bucket(long startMs, int succeeded, int held, int failed) {
        public int total() {
            return succeeded + held + failed;
        }
    }

    public Timeline {
        buckets = List.copyOf(buckets);
    }

    public static Timeline of(List<Op> ops, long startNanos, long endNanos, long bucketMs, long slowNanos) {
        int count = (int) Math.max(1, (endNanos - startNanos) / 1_000_000 / bucketMs + 1);
        int[][] counts = new int[count][3];
        for (Op op : ops) {
            long atMs = (op.endNanos() - startNanos) / 1_000_000;
            if (atMs < 0) {
                continue;
            }
            int slice = (int) Math.min(count - 1, atMs / bucketMs);
            int kind = !op.acked() ? 2 : op.latencyNanos() > slowNanos ? 1 : 0;
            counts[slice][kind]++;
        }
        List<Bucket> buckets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            buckets.add(new Bucket(i * bucketMs, counts[i][0], counts[i][1], counts[i][2]));
        }
        return new Timeline(bucketMs, buckets);
    }

    public int peak() {
        return buckets.stream().mapToInt(Bucket::total).max().orElse(0);
    }
}
