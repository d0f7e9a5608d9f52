package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every client command of {@code understudy} against a real local appliance (ZooKeeper ensemble,
 * two PostgreSQL servers, nodes and switch in their own processes), with the wrong token, no token
 * and an address nothing listens on.
 */
class CliIT {

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    static LocalAppliance appliance;
    static List<String> cluster;

    @BeforeAll
    static void start() {
        appliance = new LocalAppliance(TestPorts.applianceOnFreePorts(dir.resolve("data")), TestPorts.childClasspath());
        appliance.start(Duration.ofMinutes(4));
        cluster = List.of("--url", appliance.switchUrl(), "--data-dir", appliance.config().dataDir().toString());
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    /** A live primary and a streaming secondary: a switchover or failover of an earlier test has settled. */
    @BeforeEach
    void awaitSettled() {
        await("a primary and a streaming secondary").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    CliRun run = CliRun.with(cluster, "status", "--json");
                    JsonNode status = ClusterJson.MAPPER.readTree(run.out());
                    boolean primary = status.path("primary").path("live").asBoolean();
                    boolean streaming = false;
                    for (JsonNode m : status.path("members")) {
                        streaming |= "SECONDARY".equals(m.path("role").asText())
                                && "STREAMING".equals(m.path("replication").path("state").asText());
                    }
                    return run.exitCode() == 0 && primary && streaming;
                });
    }

    private static String primary() {
        return appliance.primaryNodeId().orElseThrow();
    }

    private static String secondary() {
        return appliance.config().nodeIds().stream().filter(id -> !id.equals(primary())).findFirst().orElseThrow();
    }

    @Test
    void statusShowsEveryMemberAsATableAsJsonAndRefreshes() throws Exception {
        CliRun table = CliRun.with(cluster, "status");
        CliRun json = CliRun.with(cluster, "status", "--json");
        CliRun watched = CliRun.with(cluster, "status", "--watch", "--count", "2", "--interval", "100ms");
        CliRun node = CliRun.of("status", "--url", appliance.nodeApiUrl(secondary()));

        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).startsWith("+ Cluster: it ").contains("| " + primary() + " *  | PRIMARY ")
                .contains("| " + secondary() + "    | SECONDARY ").contains("STREAMING (async)")
                .contains("Primary: " + primary() + " (epoch ");
        assertThat(ClusterJson.MAPPER.readTree(json.out()).path("primary").path("nodeId").asText()).isEqualTo(primary());
        assertThat(watched.exitCode()).isZero();
        assertThat(watched.out().split("\\+ Cluster: it ", -1)).hasSize(3);
        assertThat(node.exitCode()).as(node.toString()).isZero();
        assertThat(node.out()).contains("Node " + secondary() + " at ").contains("SECONDARY").contains("a node's own view");
    }

    @Test
    void everyCommandSaysSoWhenNothingAnswersAtTheAddress() {
        String nowhere = "http://127.0.0.1:" + TestPorts.freePort();
        for (String[] command : new String[][] {{"status"}, {"history"}, {"config", "show"}, {"pause"}, {"resume"},
                {"switchover", "--to", "b"}, {"failover", "--force"}, {"config", "set", "maxLagOnFailoverBytes=5"},
                {"members", "remove", "b"}}) {
            CliRun run = CliRun.with(List.of("--url", nowhere, "--data-dir", appliance.config().dataDir().toString()), command);
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.err()).as(String.join(" ", command)).contains("cannot reach " + nowhere + ": connection refused");
        }
    }

    @Test
    void actionsRefuseAWrongTokenAndAskForAMissingOne() throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong-token"), "not-the-token\n");
        List<String> withWrong = List.of("--url", appliance.switchUrl(), "--token-file", wrong.toString());
        List<String> withNone = List.of("--url", appliance.switchUrl(), "--data-dir", dir.resolve("no-such-dir").toString());

        for (String[] command : new String[][] {{"pause"}, {"resume"}, {"switchover", "--to", secondary()},
                {"failover", "--force"}, {"config", "set", "maxLagOnFailoverBytes=5"}}) {
            CliRun refused = CliRun.with(withWrong, command);
            CliRun missing = CliRun.with(withNone, command);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).contains("did not accept the admin token from --token-file " + wrong);
            assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
            assertThat(missing.err()).contains("needs the switch's admin token");
        }
        CliRun removal = CliRun.with(withWrong, "members", "remove", secondary());
        assertThat(removal.exitCode()).as(removal.toString()).isEqualTo(1);
        assertThat(appliance.status().orElseThrow().members()).hasSize(2);
    }

    @Test
    void configIsValidatedBeforeItIsWrittenAndEveryChangeIsInTheHistory() throws Exception {
        CliRun shown = CliRun.with(cluster, "config", "show");
        CliRun invalid = CliRun.with(cluster, "config", "set", "maxLagOnFailoverBytes=0");
        CliRun unknown = CliRun.with(cluster, "config", "set", "maxLagOnFailoverBytes=5", "holdTimeout=3");
        CliRun malformed = CliRun.with(cluster, "config", "set", "maxLagOnFailoverBytes");
        CliRun set = CliRun.with(cluster, "config", "set", "maxLagOnFailoverBytes=2097152", "--reason", "slow disks");

        assertThat(shown.out()).containsPattern("\\| maxLagOnFailoverBytes +\\| \\d+ ").containsPattern("\\| historyMaxEntries +\\| \\d+ ")
                .contains("| failoverPaused ");
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).contains("maxLagOnFailoverBytes must be between 1 and");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown key holdTimeout");
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(set.exitCode()).as(set.toString()).isZero();
        assertThat(set.out()).matches("maxLagOnFailoverBytes: \\d+ -> 2097152\\n");
        JsonNode config = ClusterJson.MAPPER.readTree(CliRun.with(cluster, "config", "show", "--json").out());
        assertThat(config.path("settings").path("maxLagOnFailoverBytes").asLong()).isEqualTo(2097152);
        CliRun history = CliRun.with(cluster, "history");
        assertThat(history.out()).contains("| CONFIG ").contains("-> 2097152 by switch@").contains("(slow disks)")
                .contains("| BOOTSTRAP ");
        JsonNode entries = ClusterJson.MAPPER.readTree(CliRun.with(cluster, "history", "--json", "--limit", "1").out());
        assertThat(entries.path("history")).hasSize(1);
    }

    @Test
    void pauseAndResumeWaitUntilTheClusterDidIt() {
        CliRun pause = CliRun.with(cluster, "pause", "--wait", "--reason", "patching");
        CliRun status = CliRun.with(cluster, "status");
        CliRun resume = CliRun.with(cluster, "resume", "--wait");

        assertThat(pause.exitCode()).as(pause.toString()).isZero();
        assertThat(pause.out()).startsWith("pause done in ").contains("automatic failover is paused");
        assertThat(status.out()).contains("Automatic failover: PAUSED").contains("patching");
        assertThat(resume.exitCode()).as(resume.toString()).isZero();
        assertThat(CliRun.with(cluster, "status").out()).doesNotContain("PAUSED");
    }

    @Test
    void switchoverHandsThePrimaryRoleToTheNamedNode() {
        String target = secondary();
        CliRun unknown = CliRun.with(cluster, "switchover", "--to", "nosuch");
        CliRun done = CliRun.with(cluster, "switchover", "--to", target, "--wait", "--reason", "patch the other");

        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown_node").contains("nosuch");
        assertThat(done.exitCode()).as(done.toString()).isZero();
        assertThat(done.out()).startsWith("switchover done in ").contains(target + " is the primary");
        assertThat(appliance.primaryNodeId()).contains(target);
    }

    @Test
    void failoverNeedsForceWhileThePrimaryIsHealthy() {
        String before = primary();
        CliRun refused = CliRun.with(cluster, "failover");
        CliRun forced = CliRun.with(cluster, "failover", "--force", "--wait");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("the primary " + before + " is live and healthy").contains("--force");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(appliance.primaryNodeId()).get().isNotEqualTo(before);
        assertThat(CliRun.with(cluster, "history").out()).contains("(FAILOVER) from switch@");
    }

    @Test
    void membersRemoveSaysWhyItCannot() {
        CliRun run = CliRun.with(cluster, "members", "remove", "nosuch");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("members remove nosuch refused (404 unknown_node)").contains("nosuch is not a node of the cluster");
        assertThat(appliance.status().orElseThrow().members()).hasSize(2);
    }

    @Test
    void drillRefusesWhatItCannotDoBeforeTouchingAnything() {
        CliRun kind = CliRun.with(cluster, "drill", "--kind", "nuke");
        CliRun remoteCrash = CliRun.with(cluster, "drill", "--kind", "db-crash", "--remote", "--report-dir",
                dir.resolve("reports").toString());
        CliRun duration = CliRun.with(cluster, "drill", "--duration", "1s");

        assertThat(kind.exitCode()).isEqualTo(2);
        assertThat(kind.err()).contains("--kind must be kill, freeze, switchover or db-crash");
        assertThat(remoteCrash.exitCode()).as(remoteCrash.toString()).isEqualTo(2);
        assertThat(remoteCrash.err()).contains("only works on the local appliance");
        assertThat(duration.exitCode()).isEqualTo(2);
        assertThat(dir.resolve("reports")).doesNotExist();
    }
}
