package io.understudy.chaos;

import io.understudy.chaos.fault.FaultMix;
import io.understudy.launcher.LocalAppliance;
import io.understudy.workload.AppChecker;
import io.understudy.workload.AppWrites;
import io.understudy.workload.CheckReport;
import io.understudy.workload.History;
import io.understudy.workload.Writers;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** The duty every chaos node declares: a run every 4 s lasting 3 s, so one is going on at most faults. */
    public static final String DUTY = "chaos";

    /**
     * Sync replication (an acknowledged write is on the secondary), acknowledging alone while the
     * secondary is away when {@code fallbackAsync}, fault proxies on the nodes' ZooKeeper links, and
     * a short, frequent primary-only duty.
     */
    public static LocalAppliance configure(LocalAppliance appliance, boolean fallbackAsync) {
        return appliance.nodeSetting("replication.mode", "sync")
                .nodeSetting("replication.syncFallback", fallbackAsync ? "async" : "refuse")
                .nodeSetting("duties." + DUTY + ".schedule", "*/4 * * * * *")
                .nodeSetting("duties." + DUTY + ".command", "sleep 3")
                .withZooKeeperProxies();
    }

    /** Runs {@code cycles} cycles of the mix's faults in the seed's order, with writers of the built-in objects at {@code perSecond}. */
    public static Result run(LocalAppliance appliance, FaultMix mix, History history, int cycles, long seed, double perSecond,
                             boolean fallbackAsync) throws InterruptedException {
        return run(appliance, mix, history, cycles, seed, perSecond, fallbackAsync, null);
    }

    /**
     * As {@link #run(LocalAppliance, FaultMix, History, int, long, double, boolean)}; with {@code app} (configured into
     * the appliance before it started) the writers write the test application's rows and files through the switch
     * and the checks read those.
     */
    public static Result run(LocalAppliance appliance, FaultMix mix, History history, int cycles, long seed, double perSecond,
                             boolean fallbackAsync, TestAppNodes app) throws InterruptedException {
        String prefix = "chaos-" + Long.toHexString(seed) + "-";
        List<String> sequence = mix.sequence(cycles, seed);
        LOG.info("chaos run: seed {} ({} cycles: {}), {}", seed, cycles, sequence,
                app == null ? "the built-in object API" : "the test application's rows and files");
        try (ChaosCluster cluster = new ChaosCluster(appliance)) {
            ChaosRunner.Settings settings = new ChaosRunner.Settings(fallbackAsync, Duration.ofSeconds(90), Duration.ofMinutes(3));
            if (app == null) {
                return cycles(mix, sequence, new ChaosRunner(cluster, history, prefix, settings),
                        new Writers(appliance.switchUrl(), prefix, history, 4, perSecond, Integer.MAX_VALUE, Duration.ofDays(7)), seed);
            }
            try {
                app.provision(cluster, Duration.ofMinutes(3));
            } catch (SQLException e) {
                return new Result(seed, List.of(), null, "cannot create the test application's schema: " + e.getMessage());
            }
            AppWrites writes = new AppWrites();
            RunCheck check = (ops, fromSeq, pendingFrom) -> {
                Map<String, AppChecker.Holdings> nodes = new LinkedHashMap<>();
                for (String node : cluster.nodeIds()) {
                    nodes.put(node, app.holdings(node, prefix, fromSeq));
                }
                return AppChecker.check(ops, writes.answeredIds(), nodes, prefix, pendingFrom);
            };
            return cycles(mix, sequence, new ChaosRunner(cluster, history, settings, check),
                    new Writers(appliance.switchUrl(), prefix, history,
                            new Writers.Load(4, perSecond, Integer.MAX_VALUE, Duration.ofDays(7), 1, false), writes), seed);
        }
    }

    private static Result cycles(FaultMix mix, List<String> sequence, ChaosRunner runner,
                                 Writers load, long seed) throws InterruptedException {
        List<CycleRecord> records = new ArrayList<>();
        String aborted = null;
        try (Writers writers = load) {
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
