package io.understudy.launcher;

import java.time.Duration;
import java.util.List;

/** The text shown once the local appliance is ready. Pure. */
final class Banner {

    private Banner() {
    }

    static String render(ApplianceConfig config, SwitchStatus status, Duration startup, boolean coldStart) {
        String primary = status.primaryNodeId().orElse("?");
        String secondary = status.healthySecondary().map(SwitchStatus.Member::nodeId).orElse("?");
        String rule = "=".repeat(72);
        List<String> lines = List.of(
                rule,
                "Understudy local appliance is ready (cluster '" + config.clusterName() + "')",
                "  switch (use this):  " + config.switchUrl(),
                "  primary   node " + primary + ":  " + apiUrl(config, primary),
                "  secondary node " + secondary + ":  " + apiUrl(config, secondary) + "  (read-only)",
                "  ZooKeeper:          " + config.zookeeperConnect(),
                "  PostgreSQL:         " + ApplianceConfig.HOST + ":" + config.pgPortA() + " (a), "
                        + ApplianceConfig.HOST + ":" + config.pgPortB() + " (b)",
                "  data dir:           " + config.dataDir(),
                "  log dir:            " + config.logDir(),
                "  admin token:        " + AdminToken.file(config) + "  (Authorization: Bearer ...)",
                "  started in " + startup.toMillis() + " ms (" + (coldStart ? "first start, incl. initdb" : "restart on existing data") + ")",
                "  Ctrl-C stops everything.",
                rule);
        return "\n" + String.join("\n", lines);
    }

    private static String apiUrl(ApplianceConfig config, String nodeId) {
        return ApplianceConfig.NODE_IDS.contains(nodeId) ? config.nodeApiUrl(nodeId) : "(unknown)";
    }
}
