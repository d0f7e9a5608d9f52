package io.understudy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.node.support.FilesDir;
import io.understudy.node.support.Http;
import io.understudy.node.support.NodeProcess;
import io.understudy.node.support.Postgres;
import io.understudy.node.support.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of real node processes in the middle of a big file (100 MiB, seeded, on nodes with a 256 MiB heap, so it
 * can only pass streamed): of the primary while it captures the file (streamed to the secondary as it commits), and
 * of a secondary while it writes it (copied to it by a fresh copy of the tables). After
 * a restart nothing captured is lost, the file arrives whole with its SHA-256, no half file was ever visible under
 * its name and no temp file stays behind. Also a kill -9 failover: what the old primary captured is on the new
 * primary's directory when it takes over, and the new primary captures its own changes.
 */
class AppFilesCrashIT extends WithTwoDatabases {

    // Generous: on a shared 2-core machine under heavy load a fresh copy of the big file alone took 90 s.
    private static final Duration WAIT = Duration.ofMinutes(6);
    private static final long BIG = 100L << 20;
    private static final long SEED = 20261202;
    private static final int HEAP_MB = 256;

    private final List<NodeProcess> nodes = new ArrayList<>();

    /** Before the servers stop (the base class's own clean-up runs after this one). */
    @AfterEach
    void stopNodes() throws Exception {
        for (NodeProcess node : nodes) {
            node.stop();
        }
    }

    private record Started(NodeProcess process, String url, Path files, EmbeddedPostgres pg) {
    }

    private Started node(String id, EmbeddedPostgres pg, Map<String, String> extra) throws Exception {
        Path files = dir.resolve("files-" + id);
        int port = TestNodes.freePort();
        Map<String, String> config = new HashMap<>(Map.of("node.id", id, "cluster.name", "it", "zookeeper.connect",
                zk.getConnectString(), "zookeeper.sessionTimeoutMs", "4000", "api.port", Integer.toString(port),
                "db.url", Postgres.url(pg), "data.dir", dir.resolve(id).toString(), "app.filesDir", files.toString(),
                "app.filesQuietMs", "200"));
        config.putAll(extra);
        NodeProcess process = new NodeProcess(config, dir.resolve(id + ".properties"), "app-files-crash-it-" + id, HEAP_MB);
        nodes.add(process);
        return new Started(process.start(), "http://127.0.0.1:" + port, files, pg);
    }

    /** Writes the big file beside the directory, then moves it in: it appears closed and whole, as an upload would. */
    private static String dropBigFile(Path files) throws Exception {
        Path outside = files.resolveSibling("big.bin.part");
        FilesDir.writeRandom(outside, SEED, BIG);
        String sha = FilesDir.sha256(outside);
        Files.createDirectories(files.resolve("media"));
        Files.move(outside, files.resolve("media/big.bin"));
        return sha;
    }

    @Test
    void killNineOfThePrimaryMidCaptureLosesNothingAndShowsNoHalfFile() throws Exception {
        Started a = node("a", pgA, Map.of());
        await().atMost(WAIT).until(() -> Http.status(a.url() + "/primary") == 200);
        // b never promotes: a comes back as the last primary and captures again from its directory
        Started b = node("b", pgB, Map.of("tags.nofailover", "true"));
        await().atMost(WAIT).until(() -> Http.status(b.url() + "/replica") == 200);
        for (int i = 0; i < 10; i++) {
            FilesDir.writeRandom(a.files().resolve("small/s" + i), i, 10_000 + i);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(FilesDir.contents(b.files())).isEqualTo(FilesDir.contents(a.files())));

        try (HalfFileWatch watch = new HalfFileWatch(b.files().resolve("media/big.bin"))) {
            String sha = dropBigFile(a.files());
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> orphanChunks(pgA) >= 8);
            a.process().kill9();
            assertThat(count(pgA, "SELECT count(*) FROM understudy.app_files WHERE path = 'media/big.bin'"))
                    .as("killed before the capture completed").isZero();

            Started again = node("a", pgA, Map.of());
            await().atMost(WAIT).until(() -> Http.status(again.url() + "/primary") == 200);
            await().atMost(WAIT).untilAsserted(() -> assertThat(FilesDir.contents(b.files())).isEqualTo(FilesDir.contents(a.files())));
            assertThat(FilesDir.sha256(b.files().resolve("media/big.bin"))).isEqualTo(sha);
            assertThat(watch.violation()).as("a half file under its name on the secondary").isNull();
        }
        assertThat(FilesDir.internalFiles(a.files())).isEmpty();
        assertThat(FilesDir.internalFiles(b.files())).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(orphanChunks(pgA)).as("chunks of the interrupted capture, on the primary").isZero();
            assertThat(orphanChunks(pgB)).as("and on the secondary").isZero();
        });
        assertThat(b.process().alive()).as("the secondary streamed 100 MiB with a 256 MiB heap").isTrue();
    }

    @Test
    void killNineOfTheSecondaryMidWriteLosesNothingAndLeavesNoTempFile() throws Exception {
        Started a = node("a", pgA, Map.of());
        await().atMost(WAIT).until(() -> Http.status(a.url() + "/primary") == 200);
        String sha = dropBigFile(a.files());
        await().atMost(WAIT).until(() -> count(pgA, "SELECT count(*) FROM understudy.app_files WHERE path = 'media/big.bin'") == 1);

        // b joins now: its fresh copy carries the big file's 1,600 chunks, then it writes the file
        Path bigOnB = dir.resolve("files-b").resolve("media/big.bin");
        try (HalfFileWatch watch = new HalfFileWatch(bigOnB)) {
            Started b = node("b", pgB, Map.of("tags.nofailover", "true"));
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> tempFileSize(b.files().resolve("media")) > 0);
            b.process().kill9();
            assertThat(tempFileSize(b.files().resolve("media"))).as("killed while writing the temp file").isPositive();
            assertThat(bigOnB).doesNotExist();

            FilesDir.write(a.files().resolve("while-down.txt"), "written while the secondary was down");
            Started again = node("b", pgB, Map.of("tags.nofailover", "true"));
            await().atMost(WAIT).until(() -> Http.status(again.url() + "/replica") == 200);
            await().atMost(WAIT).untilAsserted(() -> assertThat(FilesDir.contents(b.files())).isEqualTo(FilesDir.contents(a.files())));
            assertThat(watch.violation()).as("a half file under its name on the secondary").isNull();
            assertThat(FilesDir.sha256(bigOnB)).isEqualTo(sha);
            assertThat(FilesDir.internalFiles(b.files())).as("temp files left by the crash").isEmpty();
            assertThat(again.process().alive()).as("the secondary copied 100 MiB with a 256 MiB heap").isTrue();
        }
        assertThat(a.process().alive()).as("the primary captured 100 MiB with a 256 MiB heap").isTrue();
    }

    @Test
    void killNineFailoverHandsTheCapturedFilesToTheNewPrimaryWhichCapturesItsOwn() throws Exception {
        Started a = node("a", pgA, Map.of());
        await().atMost(WAIT).until(() -> Http.status(a.url() + "/primary") == 200);
        Started b = node("b", pgB, Map.of());
        await().atMost(WAIT).until(() -> Http.status(b.url() + "/replica") == 200);
        for (int i = 0; i < 50; i++) {
            FilesDir.writeRandom(a.files().resolve("before/f" + i), 100 + i, 1000L * i);
        }
        await().atMost(WAIT).until(() -> count(pgA, "SELECT count(*) FROM understudy.app_files WHERE NOT deleted") == 50);
        Map<String, String> captured = FilesDir.contents(a.files());

        a.process().kill9();
        await().atMost(WAIT).until(() -> Http.status(b.url() + "/primary") == 200);
        assertThat(FilesDir.contents(b.files())).as("everything captured before the failover, there when it took over")
                .isEqualTo(captured);
        FilesDir.write(b.files().resolve("after/new.txt"), "captured by the new primary");
        await().atMost(WAIT).until(() -> count(pgB, "SELECT count(*) FROM understudy.app_files WHERE path = 'after/new.txt'"
                + " AND NOT deleted AND captured_epoch = 2") == 1);
    }

    /** Chunks of versions no live row names: a capture in progress, or the remains of an interrupted one. */
    private static long orphanChunks(EmbeddedPostgres pg) throws Exception {
        return count(pg, "SELECT count(*) FROM understudy.app_file_chunks k WHERE NOT EXISTS"
                + " (SELECT 1 FROM understudy.app_files f WHERE f.version = k.version AND NOT f.deleted)");
    }

    private static long count(EmbeddedPostgres pg, String sql) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Size of a temp file of the materialiser in {@code dir}, 0 if there is none. */
    private static long tempFileSize(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().startsWith(".understudy-tmp-")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (java.io.IOException e) {
                    return 0;
                }
            }).max().orElse(0);
        }
    }

    /** Looks at {@code file} every few milliseconds: once it exists, it must be the whole big file. */
    private static final class HalfFileWatch implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<String> violation = new AtomicReference<>();
        private final Thread thread;

        HalfFileWatch(Path file) {
            thread = new Thread(() -> {
                for (long n = 0; !stop.get() && n < 10_000_000; n++) {
                    try {
                        if (Files.exists(file) && Files.size(file) != BIG) {
                            violation.compareAndSet(null, file + " had " + Files.size(file) + " of " + BIG + " bytes");
                        }
                        Thread.sleep(5);
                    } catch (java.nio.file.NoSuchFileException e) {
                        // renamed away meanwhile
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "half-file-watch");
            thread.start();
        }

        String violation() {
            return violation.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }
}
