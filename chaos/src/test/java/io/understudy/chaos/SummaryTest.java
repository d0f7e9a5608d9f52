package io.understudy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.chaos.fault.Fault;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static CycleRecord cycle(String fault, boolean failover, long gap, Map<String, Long> failures) {
        return cycle(fault, failover, gap, failures, new CycleRecord.Findings(0, 0, 0, 0, true));
    }

    private static CycleRecord cycle(String fault, boolean failover, long gap, Map<String, Long> failures,
                                     CycleRecord.Findings findings) {
        return new CycleRecord(1, fault, Fault.Expectation.EITHER, failover, gap, failures, 100, 0, 0, findings, 1,
                failover ? 2 : 1, "a", failover ? "b" : "a", 1000, List.of());
    }

    @Test
    void shouldSumOneRowPerFaultTypeAndATotal() {
        String table = Summary.table(List.of(cycle("kill", true, 4000, Map.of("io", 2L)), cycle("kill", true, 6000, Map.of("io", 1L)),
                cycle("restart-switch", false, 800, Map.of("switch_down", 5L))));
        assertThat(table).contains("| kill | 2 | 2 | 4000 | 6000 | io 3 | 200 | 0 | 0 | 0 | 0 | 0 | 0 | 2/2 | 0 |");
        assertThat(table).contains("| restart-switch | 1 | 0 | 800 | 800 | switch_down 5 | 100 | 0 | 0 | 0 | 0 | 0 | 0 | 1/1 | 0 |");
        assertThat(table).contains("| **all** | 3 | 2 | 4000 | 6000 | io 3, switch_down 5 | 300 | 0 | 0 | 0 | 0 | 0 | 0 | 3/3 | 0 |");
    }

    @Test
    void shouldSumTheApplicationsAndTheDutysFindingsPerFaultType() {
        String table = Summary.table(List.of(cycle("kill", true, 10, Map.of(), new CycleRecord.Findings(1, 2, 3, 4, false)),
                cycle("kill", true, 10, Map.of(), new CycleRecord.Findings(1, 0, 1, 0, true))));
        assertThat(table).contains("| applied twice | epochs served by two nodes | duplicate ids | half files"
                + " | duty runs twice in one epoch | duty in flight at the fault | violations |");
        assertThat(table).contains("| kill | 2 | 2 | 10 | 10 | - | 200 | 0 | 0 | 2 | 2 | 4 | 4 | 1/2 | 0 |");
    }

    @Test
    void shouldTakeTheNearestRankPercentile() {
        assertThat(Summary.percentile(List.of(1L, 2L, 3L, 4L), 50)).isEqualTo(2);
        assertThat(Summary.percentile(List.of(7L), 50)).isEqualTo(7);
        assertThat(Summary.percentile(List.of(), 50)).isZero();
    }
}
