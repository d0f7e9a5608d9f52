package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.replicator.PgTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code understudy import} against a real local appliance (two nodes, each with its own files directory) from a
 * standalone PostgreSQL server of its own: from a pg_dump archive with a files directory, from the running database,
 * and the refusals. {@code -Dimport.rows=200000 -Dimport.files=200 -Dimport.fileKb=256} runs the dump import at a
 * realistic size; the command prints its speed.
 */
class ImportIT {

    private static final int ROWS = Integer.getInteger("import.rows", 3000);
    private static final int FILES = Integer.getInteger("import.files", 12);
    private static final int FILE_KB = Integer.getInteger("import.fileKb", 40);
    private static final long SEED = 11;

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    static LocalAppliance appliance;
    static LocalPostgres standalone;
    static List<String> cluster;
    static Path sourceFiles;

    @BeforeAll
    static void start() throws Exception {
        System.out.println("ImportIT seed " + SEED + ", " + ROWS + " rows, " + FILES + " files of " + FILE_KB + " KiB");
        standalone = new LocalPostgres("standalone", dir.resolve("standalone"), TestPorts.freePort(), dir.resolve("standalone.log"));
        standalone.start();
        try (Connection c = standalone.dataSource().getConnection(); Statement st = c.createStatement()) {
            for (String schema : List.of("shop", "wiki", "taken", "outside")) {
                st.execute("CREATE SCHEMA " + schema);
                st.execute("CREATE TABLE " + schema + ".orders (id bigserial PRIMARY KEY, customer text NOT NULL,"
                        + " note text, payload bytea, placed timestamptz NOT NULL DEFAULT now())");
                st.execute("CREATE INDEX ON " + schema + ".orders (customer)");
                st.execute("CREATE TABLE " + schema + ".audit (line text)");
                st.execute("INSERT INTO " + schema + ".orders (customer, note, payload) SELECT 'c' || (i % 97),"
                        + " E'multi\\nline \\t ' || i, decode(md5(i::text), 'hex') FROM generate_series(1, " + ROWS + ") i");
                st.execute("INSERT INTO " + schema + ".audit SELECT 'same' FROM generate_series(1, 3)");
            }
        }
        sourceFiles = Files.createDirectories(dir.resolve("standalone-files"));
        Random random = new Random(SEED);
        for (int i = 0; i < FILES; i++) {
            byte[] content = new byte[FILE_KB * 1024 + i];
            random.nextBytes(content);
            Path file = sourceFiles.resolve(i % 3 == 0 ? "top-" + i + ".bin" : "uploads/" + (i % 2) + "/f-" + i + ".bin");
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        }
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        appliance = new LocalAppliance(config, TestPorts.childClasspath())
                .nodeSetting("replication.include", "shop.*,wiki.*,taken.*");
        for (String id : config.nodeIds()) {
            appliance.nodeSetting(id, "app.filesDir", dir.resolve("files-" + id).toString());
        }
        appliance.start(Duration.ofMinutes(6));
        cluster = List.of("--url", appliance.switchUrl(), "--data-dir", config.dataDir().toString());
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
        if (standalone != null) {
            standalone.close();
        }
    }

    @Test
    void importsADumpAndItsFilesAndEveryNodeHoldsTheSame() throws Exception {
        Path dump = dump("shop");

        CliRun run = CliRun.with(cluster, "import", "--dump", dump.toString(), "--schema", "shop", "--files",
                sourceFiles.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        System.out.println(run.out());
        String primary = appliance.primaryNodeId().orElseThrow();
        String secondary = secondary(primary);
        assertThat(run.out()).contains("importing into primary " + primary).contains("loaded " + (ROWS + 3) + " rows")
                .containsPattern("\\| shop\\.orders rows +\\| " + ROWS + " +\\| " + ROWS + " +\\| " + ROWS + " +\\|")
                .containsPattern("\\| shop\\.audit rows +\\| 3 +\\| 3 +\\| 3 +\\|")
                .contains("| files uploads/ ").contains("every node holds what was imported");
        for (String node : appliance.config().nodeIds()) {
            assertThat(count(node, "SELECT count(*) FROM shop.orders WHERE note LIKE E'multi\\nline \\t %'")).isEqualTo(ROWS);
        }
        assertThat(count(primary, "SELECT count(*) FROM pg_class WHERE oid = 'shop.orders'::regclass AND relreplident = 'd'"))
                .as("the key's replica identity, not FULL, once the key exists").isEqualTo(1);
        try (var files = Files.walk(sourceFiles)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path copy = dir.resolve("files-" + secondary).resolve(sourceFiles.relativize(file).toString());
                assertThat(copy).exists();
                assertThat(sha(copy)).isEqualTo(sha(file));
            }
        }
    }

    @Test
    void importsFromTheRunningDatabase() throws Exception {
        String url = "postgresql://postgres@127.0.0.1:" + standalone.port() + "/postgres";

        CliRun run = CliRun.with(cluster, "import", "--from", url, "--schema", "wiki");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("dumping wiki from " + url)
                .containsPattern("\\| wiki\\.orders rows +\\| " + ROWS + " +\\| " + ROWS + " +\\| " + ROWS + " +\\|");
        String secondary = secondary(appliance.primaryNodeId().orElseThrow());
        assertThat(count(secondary, "SELECT count(*) FROM wiki.orders")).isEqualTo(ROWS);
        assertThat(count(secondary, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'wiki'")).isEqualTo(2);
    }

    @Test
    void refusesBadInputNamingTheProblemAndChangesNothing() throws Exception {
        String primary = appliance.primaryNodeId().orElseThrow();
        try (Connection c = connect(primary); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS taken");
        }
        Path dump = dump("taken");
        Path notADump = Files.writeString(dir.resolve("not-a-dump.sql"), "SELECT 1;\n");

        CliRun exists = CliRun.with(cluster, "import", "--dump", dump.toString(), "--schema", "taken");
        CliRun outside = CliRun.with(cluster, "import", "--dump", dump(("outside")).toString(), "--schema", "outside,absent");
        CliRun plain = CliRun.with(cluster, "import", "--dump", notADump.toString(), "--schema", "shop");
        CliRun bothSources = CliRun.with(cluster, "import", "--dump", dump.toString(), "--from", "postgresql://x/y",
                "--schema", "taken");

        assertThat(exists.exitCode()).as(exists.toString()).isEqualTo(2);
        assertThat(exists.err()).contains("refused, nothing was changed")
                .contains("schema taken already exists on the primary " + primary);
        assertThat(outside.exitCode()).as(outside.toString()).isEqualTo(2);
        assertThat(outside.err()).contains("schema outside is not replicated by the cluster: add outside.* to replication.include")
                .contains("schema absent is not in the source");
        assertThat(plain.exitCode()).as(plain.toString()).isEqualTo(2);
        assertThat(plain.err()).contains(notADump + " is not a pg_dump archive");
        assertThat(bothSources.exitCode()).isEqualTo(2);
        assertThat(count(primary, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('outside', 'absent')")).isZero();
        assertThat(count(primary, "SELECT count(*) FROM pg_tables WHERE schemaname = 'taken'")).isZero();
    }

    private static String secondary(String primary) {
        return appliance.config().nodeIds().stream().filter(id -> !id.equals(primary)).findFirst().orElseThrow();
    }

    private static Path dump(String schema) throws Exception {
        Path file = dir.resolve(schema + ".dump");
        PgTools.run("pg_dump", List.of("--format=custom", "--schema=" + schema, "--file=" + file, "--host=127.0.0.1",
                "--port=" + standalone.port(), "--username=postgres", "postgres"), Map.of());
        return file;
    }

    private static Connection connect(String node) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + appliance.config().pgPort(node) + "/postgres",
                "postgres", "");
    }

    private static long count(String node, String sql) throws Exception {
        try (Connection c = connect(node); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String sha(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
