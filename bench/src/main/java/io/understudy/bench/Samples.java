package io.understudy.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Durations in nanoseconds, summarised as percentiles in milliseconds. */
final class Samples {

    private final List<Long> nanos = new ArrayList<>();

    void add(long nanosValue) {
        nanos.add(nanosValue);
    }

    void addAll(Samples other) {
        nanos.addAll(other.nanos);
    }

    int count() {
        return nanos.size();
    }

    /** Nearest-rank percentile, in ms; NaN when empty. */
    double percentileMs(double p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1))) / 1e6;
    }

    double maxMs() {
        return nanos.isEmpty() ? Double.NaN : Collections.max(nanos) / 1e6;
    }

    double minMs() {
        return nanos.isEmpty() ? Double.NaN : Collections.min(nanos) / 1e6;
    }
}
