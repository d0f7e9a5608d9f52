package io.understudy.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
        long total = rate > 0 ? (long) rate * duration.toSeconds() : Long.MAX_VALUE;
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        AtomicLong next = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        AtomicInteger failed = new AtomicInteger();
        List<Samples> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Samples mine = new Samples();
            latencies.add(mine);
            Thread t = new Thread(() -> {
                long i;
                while ((i = next.getAndIncrement()) < total) {
                    long due = rate > 0 ? start + i * 1_000_000_000L / rate : System.nanoTime();
                    if (due >= end || System.nanoTime() >= end) {
                        return;
                    }
                    LockSupport.parkNanos(due - System.nanoTime()); // pacing the open loop, not synchronisation
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
        return new Result(acked.get(), failed.get(), System.nanoTime() - start, all);
    }
}
