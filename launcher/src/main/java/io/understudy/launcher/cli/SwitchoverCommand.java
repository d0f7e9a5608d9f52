package io.understudy.launcher.cli;

import io.understudy.failoverswitch.admin.StatusReport;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code understudy switchover --to NODE}: a planned hand-over of the primary role. */
@Command(name = "switchover", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Planned hand-over: the primary shuts its write gate, the named secondary drains and promotes, " +
            "the switch holds requests meanwhile. Refused when the target is not an eligible secondary."})
final class SwitchoverCommand extends OperatorCommand {

    @Option(names = "--to", required = true, paramLabel = "NODE", description = "the secondary to promote")
    String to;

    @Override
    public Integer call() throws InterruptedException {
        StatusReport.Primary now = waiting.wait ? status().primary() : null;
        long before = now == null ? 0 : now.epoch();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("to", to);
        body.put("reason", reason());
        return submit("switchover", body, s -> livePrimaryIn(s, to, before), to + " is the primary");
    }

    /** {@code node} (any node when null) is the live primary of an epoch after {@code epochBefore}. */
    static boolean livePrimaryIn(StatusReport s, String node, long epochBefore) {
        StatusReport.Primary p = s.primary();
        return p != null && p.live() && p.epoch() > epochBefore && (node == null || node.equals(p.nodeId()));
    }
}
