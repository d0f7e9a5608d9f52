package io.understudy.launcher.importer;

import io.understudy.launcher.cli.CliFailure;
import io.understudy.launcher.importer.Verification.Tally;
import io.understudy.replicator.PgTools;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the archive and the files into the primary, in the order a restore needs: definitions (one transaction),
 * rows (bounded transactions), keys, indexes and constraints (one transaction), files. The primary's capture trigger
 * records each definition so the secondaries replay it at the same point of the stream. A failure undoes the import:
 * the schemas it created are dropped and the files it copied removed (both replicated like any change).
 */
final class Loader {

    private static final Pattern IDENTITY_FULL = Pattern.compile("ALTER TABLE (?:ONLY )?(\\S+) REPLICA IDENTITY FULL;");

    /** What was loaded, and how fast. */
    record Outcome(Map<String, Long> rows, long bytes, Duration dataTime, Map<String, Tally> dirs, Duration filesTime) {

        String summary() {
            long rowCount = rows.values().stream().mapToLong(Long::longValue).sum();
            Tally files = dirs.values().stream().reduce(Tally.ZERO, (a, b) -> new Tally(a.files() + b.files(), a.bytes() + b.bytes()));
            String text = String.format(Locale.ROOT, "loaded %d rows (%s) in %.1f s: %s", rowCount, Verification.bytes(bytes),
                    dataTime.toMillis() / 1000.0, rate(rowCount, bytes, dataTime, "rows"));
            return dirs.isEmpty() ? text : text + String.format(Locale.ROOT, "; %d files (%s) in %.1f s: %s", files.files(),
                    Verification.bytes(files.bytes()), filesTime.toMillis() / 1000.0,
                    rate(files.files(), files.bytes(), filesTime, "files"));
        }
    }

    private final NodeAccess target;
    private final DumpArchive archive;
    private final Path files;
    private final Path work;
    private final int batchRows;
    private final Consumer<Supplier<String>> progress;

    /** @param files the source directory, or null */
    Loader(NodeAccess target, DumpArchive archive, Path files, Path work, int batchRows, Consumer<Supplier<String>> progress) {
        this.target = target;
        this.archive = archive;
        this.files = files;
        this.work = work;
        this.batchRows = batchRows;
        this.progress = progress;
    }

    Outcome run() throws InterruptedException {
        List<Path> copied = new ArrayList<>();
        try {
            String preData = archive.script("pre-data");
            String postData = archive.script("post-data");
            psql("definitions", preData);
            long begin = System.nanoTime();
            CopyLoader.Loaded loaded = loadRows();
            Duration dataTime = Duration.ofNanos(System.nanoTime() - begin);
            psql("keys, indexes and constraints", postData);
            restoreIdentities(preData + postData);
            Map<String, Long> rows = new LinkedHashMap<>();
            archive.tables().forEach(t -> rows.put(t, loaded.rows().getOrDefault(t, 0L)));
            Map<String, Tally> dirs = new LinkedHashMap<>();
            long filesBegin = System.nanoTime();
            if (files != null) {
                dirs.putAll(Census.files(files));
                Path dir = target.filesDir().orElseThrow();
                Files.createDirectories(dir);
                try {
                    copied.addAll(FileImport.copy(files, dir, (n, bytes) -> progress.accept(() ->
                            "files: " + n + " copied (" + Verification.bytes(bytes) + ")")));
                } catch (FileImport.PartialCopy e) {
                    copied.addAll(e.copied());
                    throw e;
                }
            }
            return new Outcome(rows, loaded.totalBytes(), dataTime, dirs, Duration.ofNanos(System.nanoTime() - filesBegin));
        } catch (IOException | SQLException | RuntimeException e) {
            String undone = undo(copied);
            throw new CliFailure("the import failed: " + e.getMessage() + "\n" + undone);
        }
    }

    private CopyLoader.Loaded loadRows() throws IOException, SQLException, InterruptedException {
        Process restore = archive.data();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(restore.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.getMessage();
            }
        });
        long begin = System.nanoTime();
        try (Connection c = target.connect()) {
            CopyLoader loader = new CopyLoader(c, batchRows, 8 << 20, l -> progress.accept(() -> {
                Duration so = Duration.ofNanos(System.nanoTime() - begin);
                return "rows: " + l.totalRows() + " loaded (" + Verification.bytes(l.totalBytes()) + "), "
                        + rate(l.totalRows(), l.totalBytes(), so, "rows");
            }));
            CopyLoader.Loaded loaded = loader.load(new InputStreamReader(restore.getInputStream(), StandardCharsets.UTF_8));
            if (restore.waitFor() != 0) {
                throw new IOException("pg_restore exited with status " + restore.exitValue() + ": " + stderr.join().strip());
            }
            return loaded;
        } finally {
            restore.destroy();
        }
    }

    /** Runs {@code script} on the primary with psql, in one transaction, stopping at the first error. */
    private void psql(String what, String script) throws IOException, InterruptedException {
        Path file = work.resolve("script.sql");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of("--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
                "--file=" + file));
        args.addAll(target.libpqArgs());
        try {
            PgTools.run("psql", args, target.libpqEnv());
        } catch (IOException e) {
            throw new IOException("loading the " + what + " into the primary: " + e.getMessage(), e);
        }
    }

    /**
     * A restore creates each table before its primary key, so the primary's capture gives it {@code REPLICA IDENTITY
     * FULL} (replication.noPrimaryKey=full); once the key exists, the identity goes back to what the source had.
     */
    private void restoreIdentities(String scripts) throws SQLException {
        java.util.Set<String> full = new java.util.HashSet<>();
        Matcher m = IDENTITY_FULL.matcher(scripts);
        while (m.find()) {
            full.add(m.group(1));
        }
        try (Connection c = target.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ANY (?) AND c.relkind = 'r' AND c.relreplident = 'f'
                   AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)""")) {
            ps.setArray(1, c.createArrayOf("text", archive.schemasAsked().toArray()));
            List<String> reset = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1) + "." + rs.getString(2);
                    if (!full.contains(name)) {
                        reset.add(Census.quote(rs.getString(1)) + "." + Census.quote(rs.getString(2)));
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                for (String table : reset) {
                    st.execute("ALTER TABLE " + table + " REPLICA IDENTITY DEFAULT");
                }
            }
        }
    }

    /** Drops the schemas the import created and removes the files it copied; says what it did. */
    private String undo(List<Path> copied) {
        List<String> done = new ArrayList<>();
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            for (String schema : archive.schemasAsked()) {
                st.execute("DROP SCHEMA IF EXISTS " + Census.quote(schema) + " CASCADE");
            }
            done.add("dropped schema(s) " + String.join(", ", archive.schemasAsked()) + " on the primary");
        } catch (SQLException e) {
            done.add("could NOT drop schema(s) " + String.join(", ", archive.schemasAsked()) + " on the primary ("
                    + e.getMessage() + "): drop them before importing again");
        }
        if (!copied.isEmpty()) {
            try {
                FileImport.remove(target.filesDir().orElseThrow(), copied);
                done.add("removed the " + copied.size() + " file(s) it had copied");
            } catch (IOException e) {
                done.add("could NOT remove the files it copied (" + e.getMessage() + "): empty app.filesDir before importing again");
            }
        }
        return "undone: " + String.join("; ", done);
    }

    static String rate(long count, long bytes, Duration time, String unit) {
        double s = Math.max(time.toNanos(), 1) / 1e9;
        return String.format(Locale.ROOT, "%.0f %s/s, %.1f MB/s", count / s, unit, bytes / 1e6 / s);
    }
}
