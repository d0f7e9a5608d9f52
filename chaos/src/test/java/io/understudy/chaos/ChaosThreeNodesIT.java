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
 * A short chaos run on a three-node appliance (sync replication: a write is acknowledged once every synchronous
 * standby applied it): the primary killed, frozen past its session and cut from ZooKeeper, each once, under keyed
 * writes through the switch; every acknowledged write must be on all three nodes afterwards, one node per epoch.
 * {@code -Dchaos.seed=N} replays a sequence.
 */
class ChaosThreeNodesIT {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosThreeNodesIT.class);
    private static final List<String> FAULTS = List.of("kill-primary", "pause-primary-long", "cut-zk-blackhole");

    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurviveFaultsOfThePrimaryOnEveryOneOfThreeNodes() throws Exception {
        long seed = Long.getLong("chaos.seed", ThreadLocalRandom.current().nextLong(1, 1L << 40));
        LOG.info("ChaosThreeNodesIT seed {} (replay with -Dchaos.seed={})", seed, seed);
        History history = new History();
        FaultMix mix = FaultMix.of(FAULTS, history);
        ChaosSession.Result result;
        try (LocalAppliance appliance = ChaosSession.configure(
                new LocalAppliance(FreePorts.appliance(dir.resolve("data"), "chaos-3", 3), childClasspath()), true)) {
            appliance.start(Duration.ofMinutes(5));
            result = ChaosSession.run(appliance, mix, history, FAULTS.size(), seed, 40, true);
        }
        LOG.info("ChaosThreeNodesIT seed {}:\n{}\n{}", seed, Summary.table(result.cycles()),
                result.finalCheck() == null ? "" : Summary.finalCheck(result.finalCheck()));

        assertThat(result.violations()).as("violations (seed %d)", seed).isEmpty();
        assertThat(result.cycles()).extracting(CycleRecord::fault).containsExactlyInAnyOrderElementsOf(FAULTS);
        assertThat(result.finalCheck().acked()).as("acknowledged writes").isGreaterThan(50);
        assertThat(result.cycles()).as("every fault of the primary fails over").allMatch(CycleRecord::failover);
    }

    /** The shaded jar when the build made one, else this JVM's classpath. */
    private static String childClasspath() {
        String jar = System.getProperty("understudy.jar");
        return jar != null && Path.of(jar).toFile().isFile() ? jar : System.getProperty("java.class.path");
    }
}
