package io.understudy.node.appfiles;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
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
        gauge(registry, "understudy.files.capture.pending", capturePending,
                "on a primary: changed paths of the files directory not yet captured");
        counter(registry, "understudy.files.captured", capturedFiles, "file versions captured here as primary");
        counter(registry, "understudy.files.captured.bytes", capturedBytes, "bytes of file versions captured here as primary");
        gauge(registry, "understudy.files.materialise.pending.files", materialisePendingFiles,
                "on a secondary: files the last pass found to write, not yet written");
        gauge(registry, "understudy.files.materialise.pending.bytes", materialisePendingBytes, "on a secondary: bytes of those files");
        counter(registry, "understudy.files.materialised", materialisedFiles, "file versions written here as secondary");
        gauge(registry, "understudy.files.materialised.last.ms", lastMaterialisedAtMs,
                "when a file was last written or removed here as secondary (epoch ms, 0 never)");
        counter(registry, "understudy.files.quarantined", quarantined, "files moved aside because nobody replicated them");
        counter(registry, "understudy.files.errors", errors, "files that could not be captured or written (retried)");
        lag = DistributionSummary.builder("understudy.files.materialise.lag.ms")
                .description("captured on the primary to written here, per file version (ms)")
                .serviceLevelObjectives(10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000).register(registry);
    }

    private static void gauge(MeterRegistry registry, String name, AtomicLong value, String description) {
        Gauge.builder(name, value, AtomicLong::get).description(description).register(registry);
    }

    private static void counter(MeterRegistry registry, String name, AtomicLong value, String description) {
        FunctionCounter.builder(name, value, AtomicLong::get).description(description).register(registry);
    }

    /** Adds {@code capture}, {@code materialise}, {@code quarantined} and {@code errors} to a status body. */
    void describe(Map<String, Object> out) {
        Map<String, Object> capture = new LinkedHashMap<>();
        capture.put("pending", capturePending.get());
        capture.put("files", capturedFiles.get());
        capture.put("bytes", capturedBytes.get());
        capture.put("deletions", capturedDeletions.get());
        capture.put("lastAtMs", lastCaptureAtMs.get());
        Map<String, Object> materialise = new LinkedHashMap<>();
        materialise.put("pendingFiles", materialisePendingFiles.get());
        materialise.put("pendingBytes", materialisePendingBytes.get());
        materialise.put("files", materialisedFiles.get());
        materialise.put("bytes", materialisedBytes.get());
        materialise.put("removed", removedFiles.get());
        materialise.put("lastAtMs", lastMaterialisedAtMs.get());
        materialise.put("lastLagMs", lastLagMs.get());
        out.put("capture", capture);
        out.put("materialise", materialise);
        out.put("quarantined", quarantined.get());
        out.put("errors", errors.get());
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
