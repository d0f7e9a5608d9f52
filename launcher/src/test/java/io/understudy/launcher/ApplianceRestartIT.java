package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stop and start the appliance on the same data dir: the objects are still there, nothing is left running. */
class ApplianceRestartIT {

    private static final Logger LOG = LoggerFactory.getLogger(ApplianceRestartIT.class);
    private static final int OBJECTS = 10;

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private LocalAppliance appliance;

    @AfterEach
    void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    @Test
    void objectsSurviveARestartOnTheSameDataDir() throws Exception {
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        appliance = new LocalAppliance(config, TestPorts.childClasspath());
        appliance.start(Duration.ofMinutes(4));
        assertThat(appliance.wasColdStart()).isTrue();
        for (int i = 0; i < OBJECTS; i++) {
            assertThat(ObjectsApi.put(appliance.switchUrl(), "obj-" + i, ObjectsApi.document(i)).status()).isIn(200, 201);
        }
        String secondary = appliance.status().orElseThrow().healthySecondary().orElseThrow().nodeId();
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                assertThat(ObjectsApi.get(appliance.nodeApiUrl(secondary), "obj-" + (OBJECTS - 1)).status()).isEqualTo(200));

        List<ProcessHandle> children = new ArrayList<>();
        children.add(appliance.switchProcess().toHandle());
        for (String id : appliance.config().nodeIds()) {
            children.add(appliance.nodeProcess(id).toHandle());
        }
        appliance.close();
        assertThat(children).noneMatch(ProcessHandle::isAlive);
        assertThat(PortCheck.taken(config.ports())).as("every port is free again").isEmpty();

        appliance = new LocalAppliance(config, TestPorts.childClasspath());
        appliance.start(Duration.ofMinutes(4));
        assertThat(appliance.wasColdStart()).isFalse();
        LOG.info("MEASURED appliance warm restart: {} ms", appliance.startupTime().toMillis());
        for (int i = 0; i < OBJECTS; i++) {
            ObjectsApi.Response response = ObjectsApi.get(appliance.switchUrl(), "obj-" + i);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(ObjectsApi.document(i));
        }
    }
}
