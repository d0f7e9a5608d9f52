package io.understudy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.chaos.fault.FaultMix;
import io.understudy.launcher.LocalAppliance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CI-sized chaos run: about ten cycles on the real appliance (separate processes,
 * sync replication), covering every fault of the default mix at least once, under keyed writes
 * through the switch, checked by the independent history checker. {@code -Dchaos.seed=N} replays
 * a sequence; {@code -Dchaos.faults=all} adds the opt-in faults.
 */
class ChaosIT {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosIT.class);
    private static final int CYCLES = Integer.getInteger("chaos.cycles", 10);

    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurviveEveryFaultOnceEachInOneEpochEach() throws Exception {
        long seed = Long.getLong("chaos.seed", ThreadLocalRandom.current().nextLong(1, 1L << 40));
        LOG.info("ChaosIT seed {} (replay with -Dchaos.seed={})", seed, seed);
        History history = new History();
        FaultMix mix = FaultMix.of(List.of(System.getProperty("chaos.faults", "default").split(",")), history);
        String classpath = childClasspath();
        ChaosSession.Result result;
        try (LocalAppliance appliance = ChaosSession.configure(
                new LocalAppliance(FreePorts.appliance(dir.resolve("data"), "chaos-it"), classpath), true)) {
            appliance.start(Duration.ofMinutes(4));
            result = ChaosSession.run(appliance, mix, history, Math.max(CYCLES, mix.names().size()), seed, 50, true);
        }
        LOG.info("ChaosIT seed {}:\n{}\n{}", seed, Summary.table(result.cycles()),
                result.finalCheck() == null ? "" : Summary.finalCheck(result.finalCheck()));

        assertThat(result.violations()).as("violations (seed %d)", seed).isEmpty();
        assertThat(result.cycles()).extracting(CycleRecord::fault).containsAll(mix.names());
        assertThat(result.finalCheck().acked()).as("acknowledged writes").isGreaterThan(100);
        assertThat(result.cycles()).as("cycles with a failover").anyMatch(CycleRecord::failover);
    }

    /** The shaded jar when the build made one, else this JVM's classpath. */
    static String childClasspath() {
        String jar = System.getProperty("understudy.jar");
        return jar != null && Path.of(jar).toFile().isFile() ? jar : System.getProperty("java.class.path");
    }
}
