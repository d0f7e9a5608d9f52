package io.understudy.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Single-row writes ({@code PUT /api/objects/{id}}) against one node, bounded in count and time: either paced at a
 * fixed rate (open loop: request i is due at start + i/rate, late requests go at once) or as fast as a fixed number
 * of workers can go (closed loop).
 */
final class LoadGenerator {

    /** What one run did. */
    record Result(long acked, long failed, long elapsedNanos, Samples latency) {
        double ackedPerSecond() {
            return acked * 1e9 / Math.max(1, elapsedNanos);
        }
    }

    private final BenchClient http;
    private final String baseUrl;
    private final int workers;

    LoadGenerator(BenchClient http, String baseUrl, int workers) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.workers = workers;
    }

    /** @param rate writes per second, or 0 for as fast as the workers go */
    Result run(String prefix, int rate, Duration duration) throws InterruptedException {
        Pacing pacing = new Pacing(rate, duration);
        AtomicLong acked = new AtomicLong();
        AtomicInteger failed = new AtomicInteger();
        List<Samples> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Samples mine = new Samples();
            latencies.add(mine);
            Thread t = new Thread(() -> {
                long i;
                while ((i = pacing.nextTurn()) >= 0) {
                    long sent = System.nanoTime();
                    int status = http.put(baseUrl + "/api/objects/" + prefix + "-" + i, "{\"n\":" + i + ",\"pad\":\"0123456789abcdef\"}");
                    if (status / 100 == 2) {
                        acked.incrementAndGet();
                        mine.add(System.nanoTime() - sent);
                    } else {
                        failed.incrementAndGet();
                    }
                }
            }, "load-" + w);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        Samples all = new Samples();
        latencies.forEach(all::addAll);
        return new Result(acked.get(), failed.get(), System.nanoTime() - pacing.start(), all);
    }
}
