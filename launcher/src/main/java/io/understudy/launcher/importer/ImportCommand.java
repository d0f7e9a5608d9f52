package io.understudy.launcher.importer;

import io.understudy.failoverswitch.admin.StatusReport;
import io.understudy.launcher.cli.AdminClient;
import io.understudy.launcher.cli.CliFailure;
import io.understudy.launcher.cli.ClusterOptions;
import io.understudy.launcher.cli.DurationConverter;
import io.understudy.launcher.cli.StatusParsing;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code understudy import}: a standalone installation's database schemas and files directory loaded into a new
 * cluster through its primary, then checked on every node. Exit codes: 0 every node holds what was loaded, 1 the load
 * failed (what it had loaded is removed again) or a node did not catch up in time, 2 refused before anything was
 * changed (see {@link ImportRules}).
 */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load a standalone installation's database schemas (from a running PostgreSQL or a pg_dump",
            "archive) and its files directory into the cluster, through its primary; then check that every node holds",
            "the same rows per table and files per directory. Only into schemas that do not exist yet and an empty",
            "app.filesDir.", "",
            "Exit codes: 0 every node holds what was loaded, 1 the load failed (and was undone) or a node did not",
            "catch up within --catch-up-timeout, 2 refused before anything was changed."})
public final class ImportCommand implements Callable<Integer> {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_$]{0,62}");
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(500);

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--from", paramLabel = "URL", description = "the standalone database, a libpq URI such as "
                + "postgresql://app@db.example:5432/app (the password from ~/.pgpass or $PGPASSWORD)")
        String url;

        @Option(names = "--dump", paramLabel = "FILE", description = "a pg_dump archive (--format=custom, directory or tar)")
        Path dump;
    }

    @Option(names = "--schema", required = true, split = ",", paramLabel = "NAME",
            description = "a schema to import (repeat, or separate with commas); each must be in replication.include")
    List<String> schemas;

    @Option(names = "--files", paramLabel = "DIR", description = "the standalone installation's files directory, "
            + "copied into the primary's app.filesDir")
    Path files;

    @Option(names = "--node-config", paramLabel = "FILE", description = "a node's properties file, for its database "
            + "and app.filesDir (repeat for every node; default: the local appliance's <data-dir>/conf/node-*.properties)")
    List<Path> nodeConfigs = new ArrayList<>();

    @Option(names = "--no-owner", description = "the importing user (db.user) owns every object, and privileges are not "
            + "restored: for roles that do not exist on the cluster's nodes")
    boolean noOwner;

    @Option(names = "--catch-up-timeout", defaultValue = "PT10M", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "how long to wait for every node to hold what was loaded (default: 10m)")
    Duration catchUpTimeout;

    @Option(names = "--batch-rows", defaultValue = "5000", paramLabel = "N",
            description = "rows per transaction while loading (default: ${DEFAULT-VALUE})")
    int batchRows;

    private PrintWriter out;
    private long lastProgress;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        for (String schema : schemas) {
            if (!SCHEMA.matcher(schema).matches()) {
                throw new CliFailure(2, "--schema " + schema + ": a schema name of lower-case letters, digits, _ and $");
            }
        }
        if (batchRows < 1) {
            throw new CliFailure(2, "--batch-rows must be at least 1");
        }
        if (files != null && !Files.isDirectory(files)) {
            throw new CliFailure(2, "--files " + files + " is not a directory");
        }
        Map<String, NodeAccess> nodes = NodeAccess.load(nodeConfigs, cluster.dataDir());
        StatusReport status = StatusParsing.fetch(new AdminClient(cluster));
        Path work = Files.createTempDirectory("understudy-import-");
        try {
            DumpArchive archive = openSource(work);
            ImportRules.Facts facts = Preflight.gather(status, nodes, archive, Optional.ofNullable(files));
            if (ImportRules.check(facts) instanceof ImportRules.Refuse refuse) {
                throw new CliFailure(2, "refused, nothing was changed:\n  " + String.join("\n  ", refuse.problems()));
            }
            String primary = facts.primary().orElseThrow();
            NodeAccess target = nodes.get(primary);
            say("importing into primary %s (epoch %d): schemas %s, %d tables%s", primary, status.primary().epoch(),
                    String.join(", ", schemas), archive.tables().size(), files == null ? "" : ", files from " + files);
            Loader.Outcome loaded = new Loader(target, archive, files, work, batchRows, this::progress).run();
            say("%s", loaded.summary());
            return verify(status, nodes, archive.tables(), loaded);
        } finally {
            deleteTree(work);
        }
    }

    private DumpArchive openSource(Path work) throws InterruptedException {
        if (source.url != null) {
            say("dumping %s from %s", String.join(", ", schemas), DumpArchive.redacted(source.url));
            return DumpArchive.dump(source.url, schemas, noOwner, work);
        }
        return DumpArchive.open(source.dump, schemas, noOwner, work);
    }

    /** Waits until every member holds what was loaded, or {@link #catchUpTimeout}; prints the check. */
    private int verify(StatusReport status, Map<String, NodeAccess> nodes, List<String> tables, Loader.Outcome loaded)
            throws InterruptedException, SQLException {
        String primary = status.primary().nodeId();
        java.util.Set<String> replicated;
        try (var c = nodes.get(primary).connect()) {
            replicated = Preflight.replicated(c, tables);
        }
        long begin = System.nanoTime();
        long deadline = begin + catchUpTimeout.toNanos();
        while (true) {
            List<Verification.NodeCount> counts = new ArrayList<>();
            counts.add(count(nodes.get(primary), true, tables));
            status.members().stream().map(StatusReport.Member::nodeId).filter(id -> !id.equals(primary))
                    .forEach(id -> counts.add(count(nodes.get(id), false, tables)));
            Verification.Report report = Verification.compare(loaded.rows(), replicated, loaded.dirs(), counts);
            boolean late = System.nanoTime() - deadline > 0;
            if (report.matches() || late) {
                out.print(report.table());
                long ms = Duration.ofNanos(System.nanoTime() - begin).toMillis();
                say(report.matches() ? "every node holds what was imported (checked after %d ms)"
                        : "not every node caught up within %d ms (--catch-up-timeout): " + String.join("; ", report.behind()),
                        ms);
                return report.matches() ? 0 : CliFailure.REFUSED;
            }
            progress(() -> "waiting for the nodes: " + String.join("; ", report.behind()));
            Thread.sleep(POLL.toMillis()); // polling the nodes' databases while they apply the import
        }
    }

    private static Verification.NodeCount count(NodeAccess node, boolean primary, List<String> tables) {
        try (var c = node.connect()) {
            return new Verification.NodeCount(node.nodeId(), primary, Optional.of(Census.of(c, tables)), "");
        } catch (SQLException e) {
            return new Verification.NodeCount(node.nodeId(), primary, Optional.empty(), "cannot read its database: "
                    + e.getMessage());
        }
    }

    /** Prints {@code line} at most every {@link #PROGRESS_EVERY}; the supplier is only called then. */
    private void progress(java.util.function.Supplier<String> line) {
        long now = System.nanoTime();
        if (now - lastProgress >= PROGRESS_EVERY.toNanos()) {
            lastProgress = now;
            say("  %s", line.get());
        }
    }

    private void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
