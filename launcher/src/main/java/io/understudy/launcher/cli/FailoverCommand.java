package io.understudy.launcher.cli;

import io.understudy.failoverswitch.admin.StatusReport;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code understudy failover}: the primary steps down as if it had been lost; the best eligible secondary promotes. */
@Command(name = "failover", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Forced failover: the primary demotes at once, as if it had been lost, and the best eligible " +
            "secondary (or --to) promotes. Writes stall meanwhile. While the primary is live and healthy " +
            "this is refused unless --force is given: a planned hand-over is a switchover."})
final class FailoverCommand extends OperatorCommand {

    @Option(names = "--to", paramLabel = "NODE", description = "the secondary to promote (default: the election decides)")
    String to;

    @Option(names = "--force", description = "fail over even from a live, healthy primary (a drill)")
    boolean force;

    @Override
    public Integer call() throws InterruptedException {
        StatusReport status = status();
        StatusReport.Primary p = status.primary();
        boolean healthy = p != null && p.live() && status.members().stream()
                .anyMatch(m -> m.nodeId().equals(p.nodeId()) && m.healthy());
        if (healthy && !force) {
            throw new CliFailure("the primary " + p.nodeId() + " is live and healthy: a failover would demote it as if it had"
                    + " been lost. For a planned hand-over use 'understudy switchover --to <node>'; to fail over anyway"
                    + " (a drill), add --force");
        }
        long before = p == null ? 0 : p.epoch();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("to", to);
        body.put("reason", reason());
        return submit("failover", body, s -> SwitchoverCommand.livePrimaryIn(s, to, before), "a new primary took over");
    }
}
