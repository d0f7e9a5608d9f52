package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C while the appliance is still starting: start-up gives up and nothing is left running. */
class ApplianceStopDuringStartIT {

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void closeDuringStartAbandonsStartAndStopsEverything() throws Exception {
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        LocalAppliance appliance = new LocalAppliance(config, TestPorts.childClasspath());
        CompletableFuture<Void> starting = CompletableFuture.runAsync(() -> appliance.start(Duration.ofMinutes(4)));
        try {
            await("children started").atMost(Duration.ofMinutes(2))
                    .until(() -> Files.exists(config.logDir().resolve("node-b.log")) || starting.isDone());
            assertThat(appliance.state()).isEqualTo(LocalAppliance.State.STARTING);

            appliance.close();

            assertThat(appliance.state()).isEqualTo(LocalAppliance.State.STOPPED);
            assertThat(starting).failsWithin(1, TimeUnit.MINUTES)
                    .withThrowableOfType(ExecutionException.class)
                    .withMessageContaining("asked to stop");
            assertThat(appliance.switchProcess().isAlive()).isFalse();
            assertThat(appliance.nodeProcess("a").isAlive()).isFalse();
            assertThat(appliance.nodeProcess("b").isAlive()).isFalse();
            assertThat(PortCheck.taken(config.ports())).as("every port is free again").isEmpty();
        } finally {
            appliance.close();
        }
    }
}
