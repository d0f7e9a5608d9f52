package io.understudy.launcher.importer;

import io.understudy.launcher.cli.CliFailure;
import io.understudy.replicator.PgTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone installation's database as a pg_dump archive (custom, directory or tar format), read with Debian's
 * PostgreSQL 15 {@code pg_restore}: its table of contents, and the SQL of one section (pre-data: schemas, tables,
 * sequences, functions; data: the rows as {@code COPY} blocks; post-data: keys, indexes, constraints, triggers) for
 * the imported schemas only. A running database is first dumped into such an archive in one consistent snapshot.
 */
final class DumpArchive {

    /** {@code 7; 2615 16384 SCHEMA - app postgres}: dump id, catalog and object OIDs, then the description. */
    private static final Pattern ENTRY = Pattern.compile("^(\\d+); (\\d+) (\\d+) (.+)$");
    /** Entries of the schema itself, which {@code pg_restore -n} leaves out. */
    private static final Pattern SCHEMA_ENTRY = Pattern.compile("^(?:SCHEMA - |COMMENT - SCHEMA |ACL - SCHEMA )(\\S+) \\S*$");
    private static final Pattern TABLE_ENTRY = Pattern.compile("^TABLE (\\S+) (\\S+) (\\S*)$");

    private final Path file;
    private final List<String> schemas;
    private final boolean noOwner;
    private final List<String> entries;
    private final Path list;

    private DumpArchive(Path file, List<String> schemas, boolean noOwner, List<String> entries, Path list) {
        this.file = file;
        this.schemas = schemas;
        this.noOwner = noOwner;
        this.entries = entries;
        this.list = list;
    }

    /**
     * Dumps {@code schemas} of the running database at {@code url} into {@code workDir}.
     *
     * @param url a libpq connection URI ({@code postgresql://user@host:port/db}); a {@code jdbc:} prefix is dropped
     */
    static DumpArchive dump(String url, List<String> schemas, boolean noOwner, Path workDir) throws InterruptedException {
        String uri = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
        Path file = workDir.resolve("source.dump");
        List<String> args = new ArrayList<>(List.of("--format=custom", "--encoding=UTF8", "--no-publications",
                "--no-subscriptions", "--no-tablespaces", "--file", file.toString()));
        schemas.forEach(s -> args.add("--schema=" + s));
        args.add("--dbname=" + uri);
        try {
            PgTools.run("pg_dump", args, Map.of("PGCONNECT_TIMEOUT", "10"));
        } catch (IOException | IllegalStateException e) {
            throw new CliFailure(2, "cannot dump the source database " + redacted(uri) + ": " + e.getMessage());
        }
        return open(file, schemas, noOwner, workDir);
    }

    /** Reads the table of contents of the archive {@code file}; refuses anything pg_restore cannot read. */
    static DumpArchive open(Path file, List<String> schemas, boolean noOwner, Path workDir) throws InterruptedException {
        if (!Files.isReadable(file)) {
            throw new CliFailure(2, "cannot read the dump " + file);
        }
        List<String> all;
        List<String> inSchemas;
        try {
            all = lines(PgTools.run("pg_restore", List.of("--list", file.toString()), Map.of()));
            List<String> args = new ArrayList<>(List.of("--list"));
            schemas.forEach(s -> args.add("--schema=" + s));
            args.add(file.toString());
            inSchemas = lines(PgTools.run("pg_restore", args, Map.of()));
        } catch (IOException | IllegalStateException e) {
            throw new CliFailure(2, file + " is not a pg_dump archive that pg_restore can read (make one with"
                    + " pg_dump --format=custom): " + e.getMessage());
        }
        Set<String> wanted = Set.copyOf(schemas);
        List<String> entries = new ArrayList<>();
        for (String line : all) {
            Matcher m = ENTRY.matcher(line);
            if (m.matches()) {
                Matcher s = SCHEMA_ENTRY.matcher(m.group(4));
                if (s.matches() && wanted.contains(s.group(1))) {
                    entries.add(line);
                }
            }
        }
        inSchemas.stream().filter(line -> ENTRY.matcher(line).matches()).forEach(entries::add);
        try {
            Path list = workDir.resolve("import.list");
            Files.write(list, entries, StandardCharsets.UTF_8);
            return new DumpArchive(file, List.copyOf(schemas), noOwner, List.copyOf(entries), list);
        } catch (IOException e) {
            throw new CliFailure("cannot write in the work directory " + workDir + ": " + e.getMessage());
        }
    }

    /** The requested schemas the archive holds. */
    Set<String> schemas() {
        Set<String> found = new LinkedHashSet<>();
        for (String line : entries) {
            Matcher m = ENTRY.matcher(line);
            if (m.matches() && m.group(4).startsWith("SCHEMA - ")) {
                found.add(m.group(4).substring("SCHEMA - ".length()).split(" ")[0]);
            }
        }
        return found;
    }

    /** The imported tables, {@code schema.table}, in archive order. */
    List<String> tables() {
        List<String> tables = new ArrayList<>();
        for (String line : entries) {
            Matcher m = ENTRY.matcher(line);
            Matcher t = m.matches() ? TABLE_ENTRY.matcher(m.group(4)) : null;
            if (t != null && t.matches()) {
                tables.add(t.group(1) + "." + t.group(2));
            }
        }
        return tables;
    }

    /** The roles that own imported objects; none with {@code --no-owner}, where the importing user owns them. */
    Set<String> owners() {
        Set<String> owners = new LinkedHashSet<>();
        if (!noOwner) {
            for (String line : entries) {
                String[] words = line.split(" ");
                String owner = words[words.length - 1];
                if (ENTRY.matcher(line).matches() && !owner.isEmpty() && !owner.equals("-")) {
                    owners.add(owner);
                }
            }
        }
        return owners;
    }

    /** The SQL of {@code section} ({@code pre-data}, {@code post-data}) for the imported schemas. */
    String script(String section) throws IOException, InterruptedException {
        return PgTools.run("pg_restore", restoreArgs(section), Map.of());
    }

    /** A running {@code pg_restore} printing the data section; the caller reads its output and waits for it. */
    Process data() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(PgTools.find("pg_restore").toString());
        command.addAll(restoreArgs("data"));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    }

    List<String> schemasAsked() {
        return schemas;
    }

    private List<String> restoreArgs(String section) {
        List<String> args = new ArrayList<>(List.of("--use-list=" + list, "--section=" + section, "--file=-"));
        if (noOwner) {
            args.add("--no-owner");
            args.add("--no-acl");
        }
        args.add(file.toString());
        return args;
    }

    private static List<String> lines(String text) {
        return text.lines().filter(l -> !l.startsWith(";") && !l.isBlank()).toList();
    }

    /** The URI without its password, for messages. */
    static String redacted(String uri) {
        return uri.replaceAll("(://[^:/@]*):[^@/]*@", "$1:***@");
    }
}
