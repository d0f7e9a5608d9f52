package io.understudy.chaos;

import io.understudy.chaos.fault.FaultMix;
import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.LocalAppliance;
import io.understudy.workload.History;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The long chaos run: a local appliance on free ports, writers through the switch, {@code --cycles}
 * seeded faults, and a summary table per fault type printed and saved as markdown. Exit code 0
 * when no violation was found, 1 otherwise. Usage: {@code chaos/run.sh --cycles 200 --seed 42}.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Inject faults into a local appliance under write load and check the history.")
public final class ChaosRun implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);

    @Option(names = "--cycles", defaultValue = "200", description = "fault cycles (default: ${DEFAULT-VALUE})")
    int cycles;

    @Option(names = "--seed", description = "seed of the fault sequence (default: random, printed)")
    Long seed;

    @Option(names = "--faults", split = ",", defaultValue = "default",
            description = "faults to pick from, comma-separated: default (all but crash-primary-postgres), all, or fault names (default: ${DEFAULT-VALUE})")
    List<String> faults;

    @Option(names = "--nodes", defaultValue = "2", description = "nodes of the appliance, 2-9 (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--rate", defaultValue = "60", description = "writes per second through the switch (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--sync-fallback", defaultValue = "async",
            description = "replication.syncFallback of the nodes: async or refuse (default: ${DEFAULT-VALUE})")
    String syncFallback;

    @Option(names = "--out", defaultValue = "chaos/results", description = "where the summary goes (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--data-dir", description = "the appliance's data dir (default: a new temporary dir)")
    Path dataDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosRun()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!syncFallback.equals("async") && !syncFallback.equals("refuse")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--sync-fallback must be async or refuse");
        }
        if (nodes < ApplianceConfig.MIN_NODES || nodes > ApplianceConfig.MAX_NODES) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--nodes must be between "
                    + ApplianceConfig.MIN_NODES + " and " + ApplianceConfig.MAX_NODES + ", got " + nodes);
        }
        long chosenSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1L << 40);
        boolean fallbackAsync = syncFallback.equals("async");
        History history = new History();
        FaultMix mix = FaultMix.of(faults, history);
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("understudy-chaos-");
        String classpath = System.getProperty("understudy.classpath", System.getProperty("java.class.path"));
        LOG.info("chaos run: seed {}, {} nodes, {} cycles of {}, {} writes/s, sync mode with fallback {}, data {}", chosenSeed,
                nodes, cycles, mix.names(), rate, syncFallback, data);
        long begin = System.nanoTime();
        ChaosSession.Result result;
        try (LocalAppliance appliance = ChaosSession.configure(
                new LocalAppliance(FreePorts.appliance(data.resolve("appliance"), "chaos", nodes), classpath), fallbackAsync)) {
            appliance.start(Duration.ofMinutes(5));
            result = ChaosSession.run(appliance, mix, history, cycles, chosenSeed, rate, fallbackAsync);
        }
        String report = report(result, mix, fallbackAsync, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin), data);
        System.out.print(report);
        Files.createDirectories(out);
        Path file = out.resolve("chaos-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, report);
        System.out.println("saved " + file);
        return result.violations().isEmpty() ? 0 : 1;
    }

    private String report(ChaosSession.Result result, FaultMix mix, boolean fallbackAsync, long seconds, Path data)
            throws IOException {
        StringBuilder text = new StringBuilder("# Chaos run\n\n");
        text.append("Run ").append(LocalDateTime.now().withNano(0)).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ").append(System.getProperty("java.version")).append(": seed ").append(result.seed())
                .append(", ").append(nodes).append(" nodes, ").append(result.cycles().size()).append(" of ").append(cycles)
                .append(" cycles in ").append(seconds)
                .append(" s, faults ").append(mix.names()).append(", ").append(rate).append(" keyed writes/s through the switch,")
                .append(" replication.mode=sync, syncFallback=").append(fallbackAsync ? "async" : "refuse")
                .append(". Node logs: ").append(data).append(".\n\n");
        text.append("Write gap = longest time without an acknowledged write from injection until writes flow again after healing.")
                .append(" Lost and duplicates are counted at each cycle's check; the final check covers the whole run.\n\n");
        text.append(Summary.table(result.cycles())).append('\n');
        text.append("## Final check\n\n").append(result.finalCheck() == null ? "- not run\n" : Summary.finalCheck(result.finalCheck()));
        List<String> violations = result.violations();
        text.append("\n## Violations\n\n").append(violations.isEmpty() ? "none\n"
                : String.join("\n", violations.stream().map(v -> "- " + v).toList()) + "\n");
        text.append("\n## Cycles\n\n");
        result.cycles().forEach(c -> text.append("- ").append(c.line()).append('\n'));
        return text.toString();
    }
}
