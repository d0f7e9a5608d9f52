package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HistoryRecordTest {

    @Test
    void shouldRoundTripADrillReportWithItsFigures() {
        HistoryRecord record = HistoryRecord.ofDrill("a", 3, 1000, "kill drill: passed",
                new DrillSummary("kill", true, "passed", 1930, 0, 2931, 0, 2, 0, 60_000, "drill-kill-20261202-101500"));

        assertThat(ClusterJson.fromBytes(ClusterJson.toBytes(record), HistoryRecord.class)).isEqualTo(record);
    }

    @Test
    void shouldLeaveTheDrillOutOfOtherRecordsAndReadOlderOnes() {
        HistoryRecord promotion = new HistoryRecord(HistoryRecord.Type.PROMOTION, "b", "a", 2, 5, "a was lost");

        assertThat(ClusterJson.toString(promotion)).doesNotContain("drill");
        assertThat(ClusterJson.fromBytes(("{\"type\":\"PROMOTION\",\"nodeId\":\"b\",\"previousNodeId\":\"a\",\"epoch\":2,"
                + "\"atMs\":5,\"reason\":\"a was lost\"}").getBytes(), HistoryRecord.class)).isEqualTo(promotion);
    }
}
