package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * End to end on real processes: the appliance, 100 writes through the switch, replication to the
 * secondary, {@code kill -9} of the primary, and writes and reads through the switch afterwards.
 */
class ApplianceIT {

    private static final Logger LOG = LoggerFactory.getLogger(ApplianceIT.class);
    private static final int OBJECTS = 100;

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    static LocalAppliance appliance;

    @BeforeAll
    static void start() {
        appliance = new LocalAppliance(TestPorts.applianceOnFreePorts(dir.resolve("data")), TestPorts.childClasspath());
        appliance.start(Duration.ofMinutes(4));
        LOG.info("MEASURED appliance cold start: {} ms", appliance.startupTime().toMillis());
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            List<ProcessHandle> children = new ArrayList<>();
            for (String id : appliance.config().nodeIds()) {
                children.add(appliance.nodeProcess(id).toHandle());
            }
            appliance.close();
            assertThat(children).noneMatch(ProcessHandle::isAlive);
        }
    }

    @Test
    void writesSurviveKillNineOfThePrimary() throws Exception {
        String switchUrl = appliance.switchUrl();
        assertThat(appliance.status().orElseThrow().primary().epoch())
                .as("a cold start bootstraps epoch 1 and nothing fails over").isEqualTo(1);
        for (int i = 0; i < OBJECTS; i++) {
            ObjectsApi.Response response = ObjectsApi.put(switchUrl, "obj-" + i, ObjectsApi.document(i));
            assertThat(response.status()).as("PUT obj-%d: %s", i, response.text()).isIn(200, 201);
        }

        String primary = appliance.primaryNodeId().orElseThrow();
        String secondary = appliance.config().nodeIds().stream().filter(id -> !id.equals(primary)).findFirst().orElseThrow();
        long replicationStart = System.nanoTime();
        await("all objects on the secondary's own address").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertAllObjects(appliance.nodeApiUrl(secondary)));
        LOG.info("MEASURED all {} objects readable on secondary {} {} ms after the last acknowledged write",
                OBJECTS, secondary, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - replicationStart));

        Process victim = appliance.nodeProcess(primary);
        LOG.info("kill -9 of primary node {} (pid {})", primary, victim.pid());
        long killedAt = System.nanoTime();
        victim.destroyForcibly();
        assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(victim.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        byte[] afterKill = ObjectsApi.document(OBJECTS);
        await("a write through the switch after the kill").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> ObjectsApi.put(switchUrl, "obj-after-kill", afterKill).status(), s -> s == 200 || s == 201);
        LOG.info("MEASURED kill -9 to first successful write through the switch: {} ms",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));

        // The switch routes to a node being promoted as soon as it names itself in /primary; its member record says
        // PRIMARY one ZooKeeper write later, and only then does the status call it the live primary.
        await("the status names the new primary live").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(appliance::primaryNodeId, id -> id.filter(secondary::equals).isPresent());
        assertAllObjects(switchUrl);
        ObjectsApi.Response written = ObjectsApi.get(switchUrl, "obj-after-kill");
        assertThat(written.status()).isEqualTo(200);
        assertThat(written.body()).isEqualTo(afterKill);

        // The appliance starts the killed node again; it comes back as the secondary of the new primary, with everything.
        appliance.awaitNodeBack(primary, Duration.ofMinutes(2));
        assertThat(appliance.primaryNodeId()).contains(secondary);
        await("the old primary serves the new primary's writes").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    assertAllObjects(appliance.nodeApiUrl(primary));
                    assertThat(ObjectsApi.get(appliance.nodeApiUrl(primary), "obj-after-kill").body()).isEqualTo(afterKill);
                });
        assertThat(ObjectsApi.put(appliance.nodeApiUrl(primary), "direct", afterKill).status())
                .as("a write sent straight to the rejoined node").isEqualTo(503);
    }

    private static void assertAllObjects(String baseUrl) throws Exception {
        for (int i = 0; i < OBJECTS; i++) {
            ObjectsApi.Response response = ObjectsApi.get(baseUrl, "obj-" + i);
            assertThat(response.status()).as("GET obj-%d from %s", i, baseUrl).isEqualTo(200);
            assertThat(response.body()).as("obj-%d from %s", i, baseUrl).isEqualTo(ObjectsApi.document(i));
        }
    }
}
