package io.understudy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.chaos.fault.FaultMix;
import io.understudy.launcher.LocalAppliance;
import io.understudy.workload.History;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CI-sized chaos runs on the real appliance (separate processes, sync replication), under keyed writes through the
 * switch, checked by the independent history checker: about ten cycles on two nodes covering every fault of the
 * default mix at least once, and a short run on three nodes (a write is acknowledged once every synchronous standby
 * applied it) with the primary killed, frozen past its session and cut from ZooKeeper. {@code -Dchaos.seed=N} replays
 * a sequence; {@code -Dchaos.faults=all} adds the opt-in faults to the two-node run.
 */
class ChaosIT {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosIT.class);
    private static final int CYCLES = Integer.getInteger("chaos.cycles", 10);
    private static final List<String> THREE_NODE_FAULTS = List.of("kill-primary", "pause-primary-long", "cut-zk-blackhole");

    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurviveEveryFaultOnceEachInOneEpochEach() throws Exception {
        List<String> faults = List.of(System.getProperty("chaos.faults", "default").split(","));
        FaultMix mix = FaultMix.of(faults, new History());
        ChaosSession.Result result = run(2, faults, Math.max(CYCLES, mix.names().size()), 50);

        assertThat(result.cycles()).extracting(CycleRecord::fault).containsAll(mix.names());
        assertThat(result.finalCheck().acked()).as("acknowledged writes").isGreaterThan(100);
        assertThat(result.cycles()).as("cycles with a failover").anyMatch(CycleRecord::failover);
    }

    @Test
    void acknowledgedWritesSurviveFaultsOfThePrimaryOnEveryOneOfThreeNodes() throws Exception {
        ChaosSession.Result result = run(3, THREE_NODE_FAULTS, THREE_NODE_FAULTS.size(), 40);

        assertThat(result.cycles()).extracting(CycleRecord::fault).containsExactlyInAnyOrderElementsOf(THREE_NODE_FAULTS);
        assertThat(result.finalCheck().acked()).as("acknowledged writes").isGreaterThan(50);
        assertThat(result.cycles()).as("every fault of the primary fails over").allMatch(CycleRecord::failover);
    }

    /** A seeded run of {@code cycles} cycles of {@code faults} on {@code nodes} nodes; asserts it found no violation. */
    private ChaosSession.Result run(int nodes, List<String> faults, int cycles, double writesPerSecond) throws Exception {
        long seed = Long.getLong("chaos.seed", ThreadLocalRandom.current().nextLong(1, 1L << 40));
        LOG.info("ChaosIT ({} nodes) seed {} (replay with -Dchaos.seed={})", nodes, seed, seed);
        History history = new History();
        FaultMix mix = FaultMix.of(faults, history);
        ChaosSession.Result result;
        try (LocalAppliance appliance = ChaosSession.configure(new LocalAppliance(
                FreePorts.appliance(dir.resolve("data-" + nodes), "chaos-it-" + nodes, nodes), childClasspath()), true)) {
            appliance.start(Duration.ofMinutes(5));
            result = ChaosSession.run(appliance, mix, history, cycles, seed, writesPerSecond, true);
        }
        LOG.info("ChaosIT ({} nodes) seed {}:\n{}\n{}", nodes, seed, Summary.table(result.cycles()),
                result.finalCheck() == null ? "" : Summary.finalCheck(result.finalCheck()));
        assertThat(result.violations()).as("violations (%d nodes, seed %d)", nodes, seed).isEmpty();
        return result;
    }

    /** The shaded jar when the build made one, else this JVM's classpath. */
    static String childClasspath() {
        String jar = System.getProperty("understudy.jar");
        return jar != null && Path.of(jar).toFile().isFile() ? jar : System.getProperty("java.class.path");
    }
}
