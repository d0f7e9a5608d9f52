package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code understudy local} as a user runs it, in its own JVM: {@code kill -9} of the appliance
 * leaves nothing that blocks a restart, and SIGTERM (what Ctrl-C triggers too) stops every process.
 */
class LocalCommandIT {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCommandIT.class);

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @AutoClose
    private final LocalCommandLine local = new LocalCommandLine();

    @Test
    void survivesKillNineOfTheApplianceAndStopsEverythingOnSigterm() throws Exception {
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        StatusClient status = new StatusClient(config.switchUrl());

        Process first = startLocal(config, "first");
        awaitBanner("first");
        assertThat(status.fetch()).hasValueSatisfying(s -> assertThat(s.ready()).isTrue());
        List<ProcessHandle> firstChildren = first.descendants().toList();
        assertThat(firstChildren).hasSizeGreaterThanOrEqualTo(3);
        List<Long> postmasters = postmasterPids(config);
        assertThat(postmasters).hasSize(2);

        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await("children of the killed appliance exit on their own").atMost(Duration.ofMinutes(1))
                .until(() -> firstChildren.stream().noneMatch(ProcessHandle::isAlive));

        Process second = startLocal(config, "second");
        awaitBanner("second");
        assertThat(status.fetch()).hasValueSatisfying(s -> assertThat(s.ready()).isTrue());
        assertThat(postmasters).as("orphaned postmasters were stopped").noneMatch(pid ->
                ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        List<ProcessHandle> secondChildren = second.descendants().toList();
        List<Long> secondPostmasters = postmasterPids(config);

        second.destroy();
        assertThat(second.waitFor(2, TimeUnit.MINUTES)).as("appliance exits on SIGTERM").isTrue();
        assertThat(secondChildren).noneMatch(ProcessHandle::isAlive);
        // pg_ctl stop returns once the pid file is gone, which the postmaster removes just before it exits.
        await("postmasters exit").atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(secondPostmasters)
                .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        assertThat(PortCheck.taken(config.ports())).as("every port is free again").isEmpty();
        String log = Files.readString(dir.resolve("second.log"), StandardCharsets.UTF_8);
        assertThat(log).contains("appliance RUNNING -> STOPPING", "appliance STOPPING -> STOPPED");
    }

    /** The appliance declares itself ready with its banner; SIGTERM before that would test an aborted start. */
    private void awaitBanner(String name) {
        await(name + " appliance ready").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.readString(dir.resolve(name + ".log"), StandardCharsets.UTF_8)
                        .contains("Ctrl-C stops everything"));
    }

    private Process startLocal(ApplianceConfig config, String name) throws Exception {
        Process process = local.start(config, name, dir.resolve(name + ".log"), Map.of());
        LOG.info("started `understudy local` ({}) as pid {}", name, process.pid());
        return process;
    }

    private static List<Long> postmasterPids(ApplianceConfig config) throws Exception {
        List<Long> pids = new ArrayList<>();
        for (String id : config.nodeIds()) {
            Path pidFile = config.postgresDir(id).resolve("postmaster.pid");
            if (Files.exists(pidFile)) {
                Optional<Long> pid = StalePostmaster.pidOf(Files.readString(pidFile));
                pid.ifPresent(pids::add);
            }
        }
        return pids;
    }
}
