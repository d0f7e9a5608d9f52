package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes removed from and added to a running three-node appliance, on real processes: a removed node's replication
 * slot and publication are gone from the primary's PostgreSQL as soon as the removal answers, the node refuses to
 * start again, and adding it back makes it a streaming secondary with all the data.
 */
class MembershipIT {

    private static final Logger LOG = LoggerFactory.getLogger(MembershipIT.class);
    private static final Duration LONG = Duration.ofMinutes(4);
    private static final int OBJECTS = 50;

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    static LocalAppliance appliance;

    @BeforeAll
    static void start() {
        appliance = new LocalAppliance(TestPorts.applianceOnFreePorts(dir.resolve("data"), 3), TestPorts.childClasspath());
        appliance.start(Duration.ofMinutes(6));
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    @Test
    void aRemovedNodesSlotIsGoneAtOnceAndAnAddedNodeStreamsEverything() throws Exception {
        for (int i = 0; i < OBJECTS; i++) {
            assertThat(ObjectsApi.put(appliance.switchUrl(), "m-" + i, ObjectsApi.document(i)).status()).isIn(200, 201);
        }
        String primary = appliance.primaryNodeId().orElseThrow();
        String victim = appliance.config().nodeIds().stream().filter(id -> !id.equals(primary)).reduce((x, y) -> y).orElseThrow();
        String slot = "understudy_" + victim;
        await("the primary keeps a slot for " + victim).atMost(LONG).until(() -> slotsAndPublications(primary, slot) == 2);
        ApplianceConfig before = appliance.config();

        SwitchAdminClient.Answer removed = appliance.removeNode(victim);
        assertThat(removed.status()).as(removed.body().toString()).isEqualTo(200);
        assertThat(removed.body().path("removed").asBoolean()).isTrue();
        assertThat(slotsAndPublications(primary, slot)).as("slot and publication " + slot + " on the primary, right after the removal")
                .isZero();
        assertThat(appliance.config().nodeIds()).doesNotContain(victim);
        assertThat(appliance.status().orElseThrow().member(victim)).isEmpty();

        // The removed node refuses to start: its roster entry says removed.
        Path log = dir.resolve("removed-" + victim + ".log");
        Process refused = new ProcessBuilder(ChildProcess.javaCommand(ChildProcess.currentJava(), TestPorts.childClasspath(),
                256, "node-" + victim, List.of("node", "--config", ChildConfigs.nodeFile(before, victim).toString())))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(refused.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(refused.exitValue()).as("exit code of a removed node").isEqualTo(3);
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("was removed from cluster");

        ApplianceMembers.Added added = appliance.addNode(null, LONG);
        LOG.info("MEASURED add-node {} to a streaming secondary: {} ms", added.nodeId(), added.streamingAfterMs());
        assertThat(added.nodeId()).as("the first free id: the removed node, readmitted").isEqualTo(victim);
        assertThat(appliance.status().orElseThrow().isHealthySecondary(victim)).isTrue();
        assertThat(ObjectsApi.put(appliance.switchUrl(), "m-after", ObjectsApi.document(OBJECTS)).status()).isIn(200, 201);
        await("all data on the added node").atMost(LONG).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (int i = 0; i < OBJECTS; i++) {
                ObjectsApi.Response r = ObjectsApi.get(added.apiUrl(), "m-" + i);
                assertThat(r.status()).as("m-%d on %s", i, victim).isEqualTo(200);
                assertThat(r.body()).isEqualTo(ObjectsApi.document(i));
            }
            assertThat(ObjectsApi.get(added.apiUrl(), "m-after").body()).isEqualTo(ObjectsApi.document(OBJECTS));
        });
        assertThat(slotsAndPublications(primary, slot)).as("the added node streams through a new slot").isEqualTo(2);
    }

    /** How many of the slot and the publication named {@code name} node {@code nodeId}'s PostgreSQL holds (0-2). */
    private static int slotsAndPublications(String nodeId, String name) throws Exception {
        String url = "jdbc:postgresql://" + ApplianceConfig.HOST + ":" + appliance.config().pgPort(nodeId) + "/postgres";
        try (Connection c = DriverManager.getConnection(url, LocalPostgres.SUPERUSER, "");
             PreparedStatement ps = c.prepareStatement("SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?)"
                     + " + (SELECT count(*) FROM pg_publication WHERE pubname = ?)")) {
            ps.setString(1, name);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
