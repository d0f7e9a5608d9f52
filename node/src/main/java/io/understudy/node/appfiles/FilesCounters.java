package io.understudy.node.appfiles;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What file replication has done and has left to do: written by the worker thread, read from any thread (for
 * {@code /health} and {@code /metrics}).
 */
final class FilesCounters {

    final AtomicLong capturePending = new AtomicLong();
    final AtomicLong capturedFiles = new AtomicLong();
    final AtomicLong capturedBytes = new AtomicLong();
    final AtomicLong capturedDeletions = new AtomicLong();
    final AtomicLong lastCaptureAtMs = new AtomicLong();
    final AtomicLong materialisePendingFiles = new AtomicLong();
    final AtomicLong materialisePendingBytes = new AtomicLong();
    final AtomicLong materialisedFiles = new AtomicLong();
    final AtomicLong materialisedBytes = new AtomicLong();
    final AtomicLong removedFiles = new AtomicLong();
    final AtomicLong lastMaterialisedAtMs = new AtomicLong();
    final AtomicLong lastLagMs = new AtomicLong(-1);
    final AtomicLong quarantined = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    private volatile DistributionSummary lag;

    void bind(MeterRegistry registry) {
        Gauge.builder("understudy.files.capture.pending", capturePending, AtomicLong::get)
                .description("on a primary: changed paths of the files directory not yet captured").register(registry);
        FunctionCounter.builder("understudy.files.captured", capturedFiles, AtomicLong::get)
                .description("file versions captured here as primary").register(registry);
        FunctionCounter.builder("understudy.files.captured.bytes", capturedBytes, AtomicLong::get)
                .description("bytes of file versions captured here as primary").register(registry);
        Gauge.builder("understudy.files.materialise.pending.files", materialisePendingFiles, AtomicLong::get)
                .description("on a secondary: files the last pass found to write, not yet written").register(registry);
        Gauge.builder("understudy.files.materialise.pending.bytes", materialisePendingBytes, AtomicLong::get)
                .description("on a secondary: bytes of those files").register(registry);
        FunctionCounter.builder("understudy.files.materialised", materialisedFiles, AtomicLong::get)
                .description("file versions written here as secondary").register(registry);
        Gauge.builder("understudy.files.materialised.last.ms", lastMaterialisedAtMs, AtomicLong::get)
                .description("when a file was last written or removed here as secondary (epoch ms, 0 never)").register(registry);
        FunctionCounter.builder("understudy.files.quarantined", quarantined, AtomicLong::get)
                .description("files moved aside because nobody replicated them").register(registry);
        FunctionCounter.builder("understudy.files.errors", errors, AtomicLong::get)
                .description("files that could not be captured or written (retried)").register(registry);
        lag = DistributionSummary.builder("understudy.files.materialise.lag.ms")
                .description("captured on the primary to written here, per file version (ms)")
                .serviceLevelObjectives(10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000).register(registry);
    }

    void materialised(long bytes, long lagMs) {
        materialisedFiles.incrementAndGet();
        materialisedBytes.addAndGet(bytes);
        lastMaterialisedAtMs.set(System.currentTimeMillis());
        lastLagMs.set(lagMs);
        DistributionSummary summary = lag;
        if (summary != null) {
            summary.record(Math.max(0, lagMs));
        }
    }
}
