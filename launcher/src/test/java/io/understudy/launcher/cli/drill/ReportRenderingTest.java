package io.understudy.launcher.cli.drill;

import static io.understudy.launcher.cli.drill.FiguresTest.MS;
import static io.understudy.launcher.cli.drill.FiguresTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.workload.Op;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportRenderingTest {

    private static DrillReport report(Verdict verdict) {
        List<Op> ops = List.of(write(1, 1, 0, 10, 201, 1, false), write(2, 1, 20, 2100, 201, 2, false));
        Figures figures = Figures.of(ops, 0, 50 * MS, 3000 * MS, 200 * MS);
        DrillReport.Fault fault = new DrillReport.Fault("kill -9 of primary node a (pid 4240)", "a", 1, 50, null, "b", 2, 1900L,
                2100L, false, "not back within 0 s after the load stopped: not a member");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("maxLagOnFailoverBytes", 1048576);
        return new DrillReport("drill-kill-1", "kill", "kill", "2026-12-02T10:15:00Z", "local appliance in /data",
                "http://127.0.0.1:8080", "http://127.0.0.1:8080", new DrillReport.Plan(20_000, 50, 4, 200, 5000L, null, 60_000,
                0, 5), fault, figures, 0, 0, verdict,
                List.of(new DrillReport.NodeCheck("a", null, "-", false, 0, 0, 0, "not a member | down", List.of()),
                        new DrillReport.NodeCheck("b", "http://b", "PRIMARY", true, 2, 0, 0, "holds every acknowledged write",
                                List.of())),
                List.of(), Map.of(), List.of(new DrillReport.Event(50, "drill", "FAULT", "a", 1, "kill -9 of primary node a"),
                        new DrillReport.Event(1800, "cluster", "PROMOTION", "b", 2, "primary a@1 is gone <lost>")),
                Timeline.of(ops, 0, 3000 * MS, 100, 200 * MS), Map.of("node b", "dev"), settings, "drill-kill-1.requests.jsonl");
    }

    @Test
    void shouldPutTheHeadlineFiguresAndTheVerdictFirstInMarkdown() {
        String md = MarkdownReport.render(report(Verdict.of(true, 2090, 0, List.of(), 5000L, null)));

        assertThat(md).startsWith("# DR drill drill-kill-1: PASSED\n");
        assertThat(md).contains("| RTO: longest time without an acknowledged write | 2090 ms (from t=0.0 s to t=2.1 s;")
                .contains("| RPO: acknowledged writes missing | 0 of 2 ")
                .contains("| --max-rto | 5000 ms | 2090 ms |")
                .contains("| a | - | no | - | - | - | not a member \\| down |")
                .contains("| t=1.8 s | cluster | PROMOTION | b | 2 | primary a@1 is gone <lost> |");
    }

    @Test
    void shouldListWhyADrillFailed() {
        String md = MarkdownReport.render(report(Verdict.of(true, 6100, 0, List.of(), 5000L, null)));

        assertThat(md).startsWith("# DR drill drill-kill-1: FAILED\n").contains("- RTO 6100 ms > --max-rto 5000 ms\n");
    }

    @Test
    void shouldBeOneSelfContainedPageWithTheChartAndItsMarks() {
        String html = HtmlReport.render(report(Verdict.of(true, 2090, 0, List.of(), null, null)));

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains("fault: kill a").contains("promoted b@2")
                .contains("writes acknowledged again").contains("primary a@1 is gone &lt;lost&gt;");
        assertThat(html).doesNotContain("<script").doesNotContain("src=").doesNotContain("<link").doesNotContain("@import");
    }
}
