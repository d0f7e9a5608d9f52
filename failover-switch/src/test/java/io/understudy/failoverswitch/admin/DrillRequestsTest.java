package io.understudy.failoverswitch.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.DrillSummary;
import io.understudy.cluster.HistoryRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DrillRequestsTest {

    private static final String GOOD = "{\"kind\":\"kill\",\"nodeId\":\"a\",\"passed\":false,\"verdict\":\"RTO 6100 ms > --max-rto 5000 ms\","
            + "\"rtoMs\":6100,\"lostWrites\":0,\"acknowledgedWrites\":2931,\"failedRequests\":3,\"retriedWrites\":2,"
            + "\"duplicates\":0,\"durationMs\":60000,\"report\":\"drill-kill-20261202-101500\"}";

    private static DrillRequests.Result build(String body) throws Exception {
        return DrillRequests.build(body == null ? null : ClusterJson.MAPPER.readTree(body), 4, 99);
    }

    @Test
    void shouldRecordTheFiguresAsADrillReportInTheCurrentEpoch() throws Exception {
        DrillSummary drill = new DrillSummary("kill", false, "RTO 6100 ms > --max-rto 5000 ms", 6100, 0, 2931, 3, 2, 0, 60_000,
                "drill-kill-20261202-101500");

        assertThat(build(GOOD)).isEqualTo(new DrillRequests.Accepted(HistoryRecord.ofDrill("a", 4, 99, "kill drill FAILED (RTO 6100 ms > --max-rto 5000 ms): RTO 6100 ms, 0 of 2931 acknowledged writes"
                + " lost, 3 failed requests, 2 writes retried, 0 applied twice; report drill-kill-20261202-101500", drill)));
    }

    @Test
    void shouldSayWhenNoNodeCouldBeChecked() throws Exception {
        DrillRequests.Result result = build(GOOD.replace("\"lostWrites\":0", "\"lostWrites\":-1").replace("\"passed\":false",
                "\"passed\":true").replace("\"nodeId\":\"a\",", ""));
        assertThat(result).isInstanceOfSatisfying(DrillRequests.Accepted.class, a -> {
            assertThat(a.record().nodeId()).isNull();
            assertThat(a.record().reason()).startsWith("kill drill passed: RTO 6100 ms, acknowledged writes not checked,");
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            "kind":"kill"                                 | "kind":"Kill!"                    | kind must be
            "report":"drill-kill-20261202-101500"         | "report":"../etc/passwd"          | report must be
            "passed":false                                | "passed":"no"                     | passed must be
            "rtoMs":6100                                  | "rtoMs":-1                        | rtoMs must be a whole number >= 0
            "lostWrites":0                                | "lostWrites":-2                   | lostWrites must be a whole number >= -1
            "durationMs":60000                            | "durationMs":1.5                  | durationMs must be
            "nodeId":"a"                                  | "nodeId":"a/b"                    | nodeId must match
            """)
    void shouldRejectMalformedFigures(String good, String bad, String message) throws Exception {
        assertThat(build(GOOD.replace(good, bad))).isInstanceOfSatisfying(DrillRequests.Rejected.class,
                r -> assertThat(r.message()).startsWith(message));
    }

    @Test
    void shouldRejectABodyThatIsNotAnObject() throws Exception {
        assertThat(build(null)).isInstanceOf(DrillRequests.Rejected.class);
        assertThat(build("[1]")).isInstanceOf(DrillRequests.Rejected.class);
    }
}
