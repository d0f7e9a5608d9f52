package io.understudy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.chaos.fault.Fault;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static CycleRecord cycle(String fault, boolean failover, long gap, Map<String, Long> failures) {
        return new CycleRecord(1, fault, Fault.Expectation.EITHER, failover, gap, failures, 100, 0, 0, 1, failover ? 2 : 1,
                "a", failover ? "b" : "a", 1000, List.of());
    }

    @Test
    void shouldSumOneRowPerFaultTypeAndATotal() {
        String table = Summary.table(List.of(cycle("kill", true, 4000, Map.of("io", 2L)), cycle("kill", true, 6000, Map.of("io", 1L)),
                cycle("restart-switch", false, 800, Map.of("switch_down", 5L))));
        assertThat(table).contains("| kill | 2 | 2 | 4000 | 6000 | io 3 | 200 | 0 | 0 | 0 |");
        assertThat(table).contains("| restart-switch | 1 | 0 | 800 | 800 | switch_down 5 | 100 | 0 | 0 | 0 |");
        assertThat(table).contains("| **all** | 3 | 2 | 4000 | 6000 | io 3, switch_down 5 | 300 | 0 | 0 | 0 |");
    }

    @Test
    void shouldTakeTheNearestRankPercentile() {
        assertThat(Summary.percentile(List.of(1L, 2L, 3L, 4L), 50)).isEqualTo(2);
        assertThat(Summary.percentile(List.of(7L), 50)).isEqualTo(7);
        assertThat(Summary.percentile(List.of(), 50)).isZero();
    }
}
