package io.understudy.failoverswitch.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SwitchMetricsTest {

    @Test
    void shouldKeepExportingTheBoundGaugesAfterAGarbageCollection() {
        SwitchMetrics metrics = new SwitchMetrics();
        // bound method references, reachable from nothing but the metrics (as in the running switch)
        metrics.bind(new AtomicInteger(3)::get, new AtomicLong(4096)::get);
        metrics.bindCandidates(new AtomicInteger(1)::get);

        System.gc();

        assertThat(metrics.scrape())
                .contains("understudy_switch_held_requests 3.0")
                .contains("understudy_switch_buffered_body_bytes 4096.0")
                .contains("understudy_switch_failover_candidates 1.0");
    }
}
