package io.understudy.chaos;

import io.understudy.chaos.fault.FaultMix;
import io.understudy.launcher.LocalAppliance;
import io.understudy.workload.CheckReport;
import io.understudy.workload.History;
import io.understudy.workload.Writers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run on a started appliance: writers on, the seeded fault sequence, a final check.
 * Shared by {@code ChaosIT} and {@link ChaosRun}. The appliance must have been started with
 * {@link #configure} applied.
 */
public final class ChaosSession {

    /** The run's outcome. */
    public record Result(long seed, List<CycleRecord> cycles, CheckReport finalCheck, String abortedBecause) {
        public List<String> violations() {
            List<String> out = new ArrayList<>();
            cycles.forEach(c -> c.violations().forEach(v -> out.add("cycle " + c.cycle() + " " + c.fault() + ": " + v)));
            if (finalCheck != null) {
                finalCheck.violations().forEach(v -> out.add("final check: " + v));
            }
            if (abortedBecause != null) {
                out.add("run aborted: " + abortedBecause);
            }
            return out;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChaosSession.class);

    private ChaosSession() {
    }

    /**
     * Sync replication (an acknowledged write is on the secondary), acknowledging alone while the
     * secondary is away when {@code fallbackAsync}, and fault proxies on the nodes' ZooKeeper links.
     */
    public static LocalAppliance configure(LocalAppliance appliance, boolean fallbackAsync) {
        return appliance.nodeSetting("replication.mode", "sync")
                .nodeSetting("replication.syncFallback", fallbackAsync ? "async" : "refuse")
                .withZooKeeperProxies();
    }

    /** Runs {@code cycles} cycles of the mix's faults in the seed's order, with writers at {@code perSecond}. */
    public static Result run(LocalAppliance appliance, FaultMix mix, History history, int cycles, long seed, double perSecond,
                             boolean fallbackAsync) throws InterruptedException {
        String prefix = "chaos-" + Long.toHexString(seed) + "-";
        List<String> sequence = mix.sequence(cycles, seed);
        LOG.info("chaos run: seed {} ({} cycles: {})", seed, cycles, sequence);
        ChaosCluster cluster = new ChaosCluster(appliance);
        ChaosRunner runner = new ChaosRunner(cluster, history, prefix,
                new ChaosRunner.Settings(fallbackAsync, Duration.ofSeconds(90), Duration.ofMinutes(3)));
        List<CycleRecord> records = new ArrayList<>();
        String aborted = null;
        try (Writers writers = new Writers(appliance.switchUrl(), prefix, history, 4, perSecond, Integer.MAX_VALUE,
                Duration.ofDays(7))) {
            writers.start();
            for (int i = 0; i < sequence.size(); i++) {
                try {
                    records.add(runner.cycle(i + 1, mix.create(sequence.get(i))));
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    aborted = "cycle " + (i + 1) + " " + sequence.get(i) + ": " + e;
                    LOG.error("chaos run aborted in {}", aborted, e);
                    break;
                }
            }
        }
        CheckReport check = aborted == null ? runner.finalCheck() : null;
        return new Result(seed, records, check, aborted);
    }
}
