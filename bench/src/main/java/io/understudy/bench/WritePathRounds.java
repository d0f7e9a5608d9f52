package io.understudy.bench;

import io.understudy.launcher.ApplianceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The write path's rows: PUTs through the switch, through nginx and straight to the primary node, and pgbench's
 * upserts into the same table, from as many clients. They run in interleaved rounds ({@code -Dbench.writePathRounds},
 * default 3), each round starting one row later than the one before, so no row always runs first: on a freshly
 * started appliance the first write-path stage ran while the three JVMs' compilers still held much of the two cores,
 * and the switch's row, always first, read 0.32 of pgbench where it read 0.47-0.65 a minute later. The table gets each
 * row's median round; the notes give every round, with its ratios to pgbench's stage of the same round.
 */
final class WritePathRounds {

    static final int ROUNDS = Integer.getInteger("bench.writePathRounds", 3);

    private enum Row {
        SWITCH, NGINX, NODE, PGBENCH;

        /** The row that runs {@code i}-th in round {@code round}: each round starts one row later. */
        static Row at(int round, int i) {
            return values()[(round + i) % values().length];
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private WritePathRounds() {
    }

    /**
     * Runs the rounds and adds the four median rows (ratio to pgbench's median) to {@code rows}, and a line per round
     * to {@code notes}.
     */
    static void measure(BenchClient http, BenchPair pair, Path data, ApplianceConfig config, Duration stage, int clients,
                        List<List<String>> rows, List<String> notes) throws Exception {
        warm(http, pair, data, clients);
        List<Map<Row, List<String>>> rounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Map<Row, List<String>> measured = new EnumMap<>(Row.class);
            for (int i = 0; i < Row.values().length; i++) {
                Row row = Row.at(round, i);
                measured.put(row, stage(row, http, pair, data, config, stage, clients, round));
            }
            rounds.add(measured);
            notes.add(note(round, measured));
        }
        List<String> pgbench = median(rounds, Row.PGBENCH);
        for (Row row : List.of(Row.SWITCH, Row.NGINX, Row.NODE)) {
            rows.add(ReplicationBench.withRatio(median(rounds, row), pgbench, 4));
        }
        rows.add(pgbench);
    }

    /** "Write path, round 2: nginx 2227 (0.55), node 2662 (0.66), pgbench 4019, switch 1984 (0.49) tx/s, load 29.86." */
    private static String note(int round, Map<Row, List<String>> measured) {
        StringBuilder note = new StringBuilder("Write path, round " + (round + 1) + ":");
        for (int i = 0; i < Row.values().length; i++) {
            Row row = Row.at(round, i);
            note.append(i == 0 ? " " : ", ").append(row.label()).append(' ').append(measured.get(row).get(4));
            if (row != Row.PGBENCH) {
                note.append(" (").append(ReplicationBench.withRatio(measured.get(row), measured.get(Row.PGBENCH), 4).get(12))
                        .append(')');
            }
        }
        return note.append(" tx/s, load ").append(ReplicationBench.loadAverage()).append('.').toString();
    }

    private static List<String> stage(Row row, BenchClient http, BenchPair pair, Path data, ApplianceConfig config,
                                      Duration stage, int clients, int round) throws Exception {
        String tag = "-r" + round;
        return switch (row) {
            case SWITCH -> ReplicationBench.apiStage(http, pair, data, "async", pair.switchUrl, "switch", tag, clients, stage);
            case NGINX -> nginx(http, pair, data, config.nodeApiPort("a"), stage, clients, tag);
            case NODE -> ReplicationBench.apiStage(http, pair, data, "async", pair.primaryUrl, "node", tag, clients, stage);
            case PGBENCH -> {
                double tps = Pgbench.upserts(config.pgPort("a"), clients, stage);
                yield List.of("pgbench", "upsert", clients + " clients", "max", ReplicationBench.fmt(tps),
                        "-", "-", "-", "-", "-", "-", "-", "1.00", ReplicationBench.loadAverage());
            }
        };
    }

    /** {@code row}'s stage of the median round by committed tx/s (the lower of the two middle ones for an even count). */
    private static List<String> median(List<Map<Row, List<String>>> rounds, Row row) {
        List<List<String>> sorted = new ArrayList<>();
        rounds.forEach(measured -> sorted.add(measured.get(row)));
        // a stage that measured nothing reads "-" and sorts last
        sorted.sort(Comparator.comparingDouble(stage -> stage.get(4).equals("-") ? Double.NaN : Double.parseDouble(stage.get(4))));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /**
     * wrk's PUTs through the switch for 10 s, not measured. The appliance's warm-up sends its writes from one JVM's
     * HTTP client; wrk's connections then take other paths through Undertow, and in the first measured stage the
     * switch's C2 compiler used more than twice the CPU of its IO thread, on the cores the stage measures.
     */
    private static void warm(BenchClient http, BenchPair pair, Path dir, int clients) throws Exception {
        LagHistogram before = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics"));
        WrkWrites.Result warm = WrkWrites.run(dir, pair.switchUrl, "warm-s", clients, Duration.ofSeconds(10));
        ReplicationBench.waitApplied(http, pair, before, warm.acked());
    }

    /**
     * The anchor for the switch's hop: the same PUTs through nginx (one worker, as the switch has one IO thread on
     * two cores; keep-alive to the node) straight to the primary node, on {@link ReplicationBench#NGINX_PORT}. nginx
     * knows no primary and holds nothing: it shows what any proxy's extra hop costs on the same busy cores.
     */
    private static List<String> nginx(BenchClient http, BenchPair pair, Path dir, int nodePort, Duration stage, int clients,
                                      String tag) throws Exception {
        ProxyRunner.ensureInstalled("/usr/sbin/nginx", "nginx");
        Path nginxDir = Files.createDirectories(dir.resolve("nginx"));
        Process nginx = ProxyRunner.nginx(nginxDir, ReplicationBench.NGINX_PORT, nodePort, 1);
        try {
            String url = "http://127.0.0.1:" + ReplicationBench.NGINX_PORT;
            SwitchBench.awaitAnswer(http, "nginx (see " + nginxDir + ")", url + "/primary", Duration.ofSeconds(10));
            return ReplicationBench.apiStage(http, pair, dir, "async", url, "nginx", tag, clients, stage);
        } finally {
            nginx.destroy();
            nginx.waitFor();
        }
    }
}
