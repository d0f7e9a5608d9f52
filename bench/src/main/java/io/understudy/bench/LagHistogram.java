package io.understudy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secondary's commit-to-applied lag histogram ({@code understudy_replication_lag_ms}, 1 ms buckets up to 30 ms)
 * and applied-transaction counter, read from its Prometheus text; the difference of two reads describes what was
 * applied between them. Percentiles are bucket upper bounds (the true value is at most that).
 */
final class LagHistogram {

    private static final Pattern BUCKET = Pattern.compile("^understudy_replication_lag_ms_bucket\\{le=\"([^\"]+)\"} ([0-9.Ee+]+)$");
    private static final Pattern APPLIED = Pattern.compile("^understudy_replication_applied_transactions_total ([0-9.Ee+]+)$");

    private final TreeMap<Double, Double> cumulative;
    private final double applied;

    private LagHistogram(TreeMap<Double, Double> cumulative, double applied) {
        this.cumulative = cumulative;
        this.applied = applied;
    }

    static LagHistogram parse(String prometheusText) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        double applied = 0;
        for (String line : prometheusText == null ? List.<String>of() : prometheusText.lines().toList()) {
            Matcher m = BUCKET.matcher(line);
            if (m.matches()) {
                double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                buckets.put(le, Double.parseDouble(m.group(2)));
            }
            Matcher a = APPLIED.matcher(line);
            if (a.matches()) {
                applied = Double.parseDouble(a.group(1));
            }
        }
        return new LagHistogram(buckets, applied);
    }

    /** What was recorded after {@code earlier}. */
    LagHistogram since(LagHistogram earlier) {
        TreeMap<Double, Double> delta = new TreeMap<>();
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            delta.put(e.getKey(), e.getValue() - earlier.cumulative.getOrDefault(e.getKey(), 0.0));
        }
        return new LagHistogram(delta, applied - earlier.applied);
    }

    long applied() {
        return Math.round(applied);
    }

    long count() {
        return cumulative.isEmpty() ? 0 : Math.round(cumulative.lastEntry().getValue());
    }

    /** Upper bound (ms) of the bucket holding the p-th percentile; NaN when empty. */
    double percentile(double p) {
        long count = count();
        if (count == 0) {
            return Double.NaN;
        }
        double rank = Math.ceil(p / 100.0 * count);
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                return e.getKey();
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** Upper bound (ms) of the highest non-empty bucket; NaN when empty. */
    double max() {
        List<Map.Entry<Double, Double>> entries = new ArrayList<>(cumulative.entrySet());
        for (int i = entries.size() - 1; i >= 0; i--) {
            double below = i == 0 ? 0 : entries.get(i - 1).getValue();
            if (entries.get(i).getValue() > below) {
                return entries.get(i).getKey();
            }
        }
        return Double.NaN;
    }
}
