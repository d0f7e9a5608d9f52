package io.understudy.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The text shown once the local appliance is ready. Pure. */
final class Banner {

    private Banner() {
    }

    static String render(ApplianceConfig config, SwitchStatus status, Duration startup, boolean coldStart) {
        String primary = status.primaryNodeId().orElse("?");
        String rule = "=".repeat(72);
        List<String> lines = new ArrayList<>(List.of(
                rule,
                "Understudy local appliance is ready (cluster '" + config.clusterName() + "', " + config.nodeIds().size()
                        + " nodes)",
                "  switch (use this):  " + config.switchUrl()));
        for (String id : config.nodeIds()) {
            String role = id.equals(primary) ? "primary  " : "secondary";
            String note = id.equals(primary) ? "" : status.isHealthySecondary(id) ? "  (read-only)" : "  (still joining)";
            lines.add("  " + role + " node " + id + ":  " + config.nodeApiUrl(id) + "  PostgreSQL " + ApplianceConfig.HOST
                    + ":" + config.pgPort(id) + note);
        }
        lines.addAll(List.of(
                "  ZooKeeper:          " + config.zookeeperConnect(),
                "  data dir:           " + config.dataDir(),
                "  log dir:            " + config.logDir(),
                "  admin token:        " + AdminToken.file(config) + "  (Authorization: Bearer ...)",
                "  started in " + startup.toMillis() + " ms (" + (coldStart ? "first start, incl. initdb" : "restart on existing data") + ")",
                "  a node or the switch that dies is started again; add or remove nodes with",
                "  'understudy local add-node' / 'understudy local remove-node ID' from another terminal",
                "  Ctrl-C stops everything.",
                rule));
        return "\n" + String.join("\n", lines);
    }
}
