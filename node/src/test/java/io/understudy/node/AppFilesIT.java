package io.understudy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.understudy.node.appfiles.AppFiles;
import io.understudy.node.support.FilesDir;
import io.understudy.node.support.Http;
import io.understudy.node.support.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The application's files directory ({@code app.filesDir}) replicated between two real nodes in one JVM (real
 * ZooKeeper, two real PostgreSQL, real Debezium, real directories): new, changed, renamed and deleted files arrive;
 * after a failover the new primary holds what was replicated and captures its own changes; a flush captures at once.
 * Crashes of real processes mid-file are {@code AppFilesCrashIT}.
 */
class AppFilesIT extends WithTwoDatabases {

    private static final Duration WAIT = Duration.ofSeconds(60); // generous: a shared machine; not a speed check

    private NodeConfig config(String id, Path filesDir, String quietMs) throws Exception {
        return TestNodes.config(id, zk.getConnectString(), id.equals("a") ? pgA : pgB, dir,
                Map.of("app.filesDir", filesDir.toString(), "app.filesQuietMs", quietMs));
    }

    private void startPair(NodeConfig configA, NodeConfig configB) {
        a = start(configA);
        await().atMost(WAIT).until(() -> Http.status(configA.apiAdvertisedUrl() + "/primary") == 200);
        b = start(configB);
        await().atMost(WAIT).until(() -> Http.status(configB.apiAdvertisedUrl() + "/replica") == 200);
    }

    private static Node start(NodeConfig config) {
        try {
            return Node.start(config);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitSame(Path primary, Path secondary) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(FilesDir.contents(secondary)).isEqualTo(FilesDir.contents(primary)));
    }

    @Test
    void shouldReplicateNewChangedRenamedAndDeletedFiles() throws Exception {
        Path filesA = dir.resolve("files-a");
        Path filesB = dir.resolve("files-b");
        FilesDir.write(filesA.resolve("before/start.txt"), "there before the secondary");
        FilesDir.writeRandom(filesA.resolve("before/blob.bin"), 1, 3_000_000); // several chunks
        NodeConfig configB = config("b", filesB, "100");
        startPair(config("a", filesA, "100"), configB);
        awaitSame(filesA, filesB);
        assertThat(FilesDir.contents(filesB)).containsKeys("before/start.txt", "before/blob.bin");

        FilesDir.write(filesA.resolve("new/deep/down/n.txt"), "new");
        FilesDir.write(filesA.resolve("before/start.txt"), "changed, and longer than before");
        Files.move(filesA.resolve("before/blob.bin"), filesA.resolve("renamed.bin"));
        Files.createDirectories(filesA.resolve("dir-to-rename/inner"));
        FilesDir.write(filesA.resolve("dir-to-rename/inner/x.txt"), "x");
        FilesDir.write(filesA.resolve("to-delete.txt"), "short-lived");
        Files.createFile(filesA.resolve("empty"));
        Path script = filesA.resolve("run.sh");
        FilesDir.write(script, "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(filesA.resolve("link"), script);
        awaitSame(filesA, filesB);

        Files.move(filesA.resolve("dir-to-rename"), filesA.resolve("dir-renamed"));
        Files.delete(filesA.resolve("to-delete.txt"));
        awaitSame(filesA, filesB);

        assertThat(FilesDir.contents(filesB)).containsKeys("dir-renamed/inner/x.txt", "renamed.bin", "empty", "new/deep/down/n.txt")
                .doesNotContainKeys("to-delete.txt", "before/blob.bin", "dir-to-rename/inner/x.txt", "link");
        assertThat(Files.readString(filesB.resolve("before/start.txt"))).isEqualTo("changed, and longer than before");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(filesB.resolve("run.sh")))).isEqualTo("rwxr-x---");
        assertThat(Files.getLastModifiedTime(filesB.resolve("renamed.bin")).toMillis())
                .isEqualTo(Files.getLastModifiedTime(filesA.resolve("renamed.bin")).toMillis());
        assertThat(Files.exists(filesB.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("links are not replicated").isFalse();
        assertThat(FilesDir.internalFiles(filesA)).isEmpty();
        assertThat(FilesDir.internalFiles(filesB)).isEmpty();
        assertThat(Http.text(Http.get(configB.apiAdvertisedUrl() + "/health"))).contains("\"files\"").contains("MATERIALISING");
        assertThat(Http.text(Http.get(configB.apiAdvertisedUrl() + "/metrics")))
                .contains("understudy_files_materialised_total").contains("understudy_files_materialise_pending_bytes")
                .contains("understudy_files_mode{mode=\"MATERIALISING\"} 1.0");
    }

    @Test
    void shouldHandTheDirectoryToTheNewPrimaryWhichCapturesItsOwnAndQuarantinesWhatTheOldOneKeptBack() throws Exception {
        Path filesA = dir.resolve("files-a");
        Path filesB = dir.resolve("files-b");
        NodeConfig configA = config("a", filesA, "100");
        NodeConfig configB = config("b", filesB, "100");
        startPair(configA, configB);
        for (int i = 0; i < 20; i++) {
            FilesDir.writeRandom(filesA.resolve("epoch1/f" + i + ".bin"), i, 1000L * i * i);
        }
        awaitSame(filesA, filesB);
        Map<String, String> replicated = FilesDir.contents(filesA);

        a.close();
        a = null;
        // Written on the old primary while it is down: never captured, so never replicated, and not to be lost either.
        FilesDir.write(filesA.resolve("epoch1/written-while-down.txt"), "kept back");
        await().atMost(WAIT).until(() -> Http.status(configB.apiAdvertisedUrl() + "/primary") == 200);
        assertThat(FilesDir.contents(filesB)).isEqualTo(replicated);
        await().atMost(WAIT).until(() -> b.appFiles().orElseThrow().mode() == AppFiles.Mode.CAPTURING);

        FilesDir.write(filesB.resolve("epoch2/new.txt"), "written on the new primary");
        Files.delete(filesB.resolve("epoch1/f3.bin"));
        a = Node.start(configA);
        await().atMost(WAIT).until(() -> Http.status(configA.apiAdvertisedUrl() + "/replica") == 200);
        awaitSame(filesB, filesA);
        assertThat(Files.readString(filesA.resolve("epoch2/new.txt"))).isEqualTo("written on the new primary");
        assertThat(filesA.resolve("epoch1/f3.bin")).doesNotExist();
        try (var quarantined = Files.walk(configA.dataDir().resolve("quarantine-files"))) {
            assertThat(quarantined.filter(p -> p.endsWith("epoch1/written-while-down.txt")).toList())
                    .as("the old primary's uncaptured file is kept aside, not deleted").hasSize(1);
        }
    }

    @Test
    void shouldCaptureAtOnceOnFlushAndRefuseAFlushForAnotherEpoch() throws Exception {
        Path filesA = dir.resolve("files-a");
        NodeConfig configA = config("a", filesA, "600000"); // never quiet enough: only a flush captures
        a = Node.start(configA);
        await().atMost(WAIT).until(() -> Http.status(configA.apiAdvertisedUrl() + "/primary") == 200);
        AppFiles files = a.appFiles().orElseThrow();
        await().atMost(WAIT).until(() -> files.mode() == AppFiles.Mode.CAPTURING);

        FilesDir.write(filesA.resolve("upload/photo.jpg"), "jpeg bytes");
        files.flush(a.epoch());
        assertThat(capturedSha(configA, "upload/photo.jpg")).isEqualTo(FilesDir.sha256(filesA.resolve("upload/photo.jpg")));

        Files.delete(filesA.resolve("upload/photo.jpg"));
        files.flush(a.epoch());
        assertThat(capturedSha(configA, "upload/photo.jpg")).isEqualTo("deleted");

        assertThatThrownBy(() -> files.flush(a.epoch() + 1)).isInstanceOf(AppFiles.FlushException.class);
    }

    /** The captured SHA-256 of {@code path} in the node's own database, "deleted" for a tombstone, null if none. */
    private static String capturedSha(NodeConfig config, String path) throws Exception {
        try (Connection c = DriverManager.getConnection(config.dbUrl(), config.dbUser(), config.dbPassword());
             PreparedStatement ps = c.prepareStatement("SELECT deleted, sha256 FROM understudy.app_files WHERE path = ?")) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                return !rs.next() ? null : rs.getBoolean(1) ? "deleted" : rs.getString(2);
            }
        }
    }
}
