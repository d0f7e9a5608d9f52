package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The appliance refuses to start, with a message an operator can act on, before it starts anything. */
class ApplianceRefusesIT {

    @TempDir
    Path dir;

    @Test
    void refusesATakenPortAndNamesIt() throws Exception {
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), config.switchPort()));
            LocalAppliance appliance = new LocalAppliance(config);
            assertThatThrownBy(() -> appliance.start(Duration.ofMinutes(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already in use")
                    .hasMessageContaining("port " + config.switchPort() + " for the failover switch (--switch-port)");
            assertThat(appliance.state()).isEqualTo(LocalAppliance.State.STOPPED);
        }
        assertThat(Files.exists(config.postgresDir("a").resolve("postgresql.conf"))).as("nothing was initialised").isFalse();
    }

    @Test
    void refusesADataDirInUseByALiveAppliance() {
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        try (DataDirLock held = DataDirLock.acquire(config.dataDir())) {
            LocalAppliance appliance = new LocalAppliance(config);
            assertThatThrownBy(() -> appliance.start(Duration.ofMinutes(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another appliance");
        }
    }
}
