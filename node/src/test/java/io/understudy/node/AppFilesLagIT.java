package io.understudy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.node.appfiles.AppFiles;
import io.understudy.node.support.FilesDir;
import io.understudy.node.support.Http;
import io.understudy.node.support.TestNodes;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Files of mixed sizes (1 KiB to 8 MiB, log-uniform, fixed seed) written one after the other on the primary, each
 * awaited on the secondary: all arrive with their content, first as the background capture finds them (default quiet
 * period), then each captured by a flush as the gateway's write barrier does. It prints the lag, from the file closed
 * on the primary to its name appearing on the secondary (a rename there, seen by a watch), p50/p90/max, and how much of
 * it the capture took: figures for the documentation, asserted by nothing.
 */
class AppFilesLagIT extends WithTwoDatabases {

    /** 200 for the documented figures ({@code -Dfiles.lag.count=200}); fewer in the default build, which only needs them all to arrive. */
    private static final int FILES = Integer.getInteger("files.lag.count", 60);
    private static final long SEED = 42;
    private static final Duration WAIT = Duration.ofSeconds(120); // generous: a shared machine; not a speed check

    @Test
    void shouldReplicateFilesOfMixedSizesAndReportTheirLag() throws Exception {
        Path filesA = dir.resolve("files-a");
        Path filesB = dir.resolve("files-b");
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir, Map.of("app.filesDir", filesA.toString()));
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir, Map.of("app.filesDir", filesB.toString()));
        a = Node.start(configA);
        await().atMost(WAIT).until(() -> Http.status(configA.apiAdvertisedUrl() + "/primary") == 200);
        b = Node.start(configB);
        await().atMost(WAIT).until(() -> Http.status(configB.apiAdvertisedUrl() + "/replica") == 200);
        Files.createDirectories(filesB.resolve("lag"));
        System.out.println("seed " + SEED);

        Random random = new Random(SEED);
        try (Arrivals arrivals = new Arrivals(filesB.resolve("lag"))) {
            for (String mode : List.of("background", "flush")) {
                List<Long> lags = new ArrayList<>();
                List<Long> captures = new ArrayList<>();
                long bytes = 0;
                for (int i = 0; i < FILES; i++) {
                    String name = mode + "-" + i;
                    long size = (long) Math.pow(2, 10 + random.nextDouble() * 13); // 1 KiB .. 8 MiB
                    FilesDir.writeRandom(filesA.resolve("lag").resolve(name), random.nextLong(), size);
                    long closedAt = System.currentTimeMillis();
                    if (mode.equals("flush")) {
                        a.appFiles().orElseThrow().flush(a.epoch());
                    }
                    await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> arrivals.at(name) != null);
                    lags.add(arrivals.at(name) - closedAt);
                    captures.add(capturedAt(configA, "lag/" + name) - closedAt);
                    bytes += size;
                }
                System.out.printf("file replication lag, %s capture: %d files, %d MiB: closed on the primary to visible on the"
                        + " secondary %s; of which closed to captured %s%n", mode, FILES, bytes >> 20, spread(lags), spread(captures));
            }
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(FilesDir.contents(filesB)).isEqualTo(FilesDir.contents(filesA)));
        assertThat(FilesDir.contents(filesB)).hasSize(2 * FILES);
        assertThat(a.appFiles().orElseThrow().mode()).isEqualTo(AppFiles.Mode.CAPTURING);
    }

    private static String spread(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return "p50 " + sorted.get(sorted.size() / 2) + " ms, p90 " + sorted.get(sorted.size() * 9 / 10) + " ms, max "
                + sorted.get(sorted.size() - 1) + " ms";
    }

    /** When the primary made the path's current version visible (its wall clock, ms). */
    private static long capturedAt(NodeConfig config, String path) throws Exception {
        try (Connection c = DriverManager.getConnection(config.dbUrl(), config.dbUser(), config.dbPassword());
             PreparedStatement ps = c.prepareStatement("SELECT captured_at_ms FROM understudy.app_files WHERE path = ?")) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** When each name appeared in a directory (wall clock, ms), seen by a watch of its own. */
    private static final class Arrivals implements AutoCloseable {
        private final Map<String, Long> seen = new ConcurrentHashMap<>();
        private final WatchService watch;
        private final Thread thread;

        Arrivals(Path dir) throws Exception {
            watch = FileSystems.getDefault().newWatchService();
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            thread = new Thread(() -> {
                try {
                    while (true) {
                        WatchKey key = watch.take();
                        long now = System.currentTimeMillis();
                        for (WatchEvent<?> event : key.pollEvents()) {
                            if (event.context() != null) {
                                seen.putIfAbsent(event.context().toString(), now);
                            }
                        }
                        key.reset();
                    }
                } catch (Exception e) {
                    // closed
                }
            }, "arrivals");
            thread.start();
        }

        Long at(String name) {
            return seen.get(name);
        }

        @Override
        public void close() throws Exception {
            watch.close();
            thread.join();
        }
    }
}
