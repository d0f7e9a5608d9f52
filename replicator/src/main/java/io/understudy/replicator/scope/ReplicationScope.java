package io.understudy.replicator.scope;

import io.understudy.replicator.apply.TableName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which tables a stream replicates, and the rules for those it cannot replicate as they are. Pure: the adapters read
 * the primary's catalog and carry out the {@link Resolution}.
 *
 * <p>A table is in scope when it is one of the {@code always} tables (the node's own, whatever the configuration),
 * or when an {@code include} pattern matches it and no {@code exclude} pattern does. Schema changes are captured in
 * every schema an include pattern's schema part matches, so the secondary's copy of those schemas keeps the primary's
 * shape, excluded tables included (they simply carry no rows).
 *
 * <p>Why resolving is safe: PostgreSQL makes the application's UPDATE and DELETE fail on a published table without a
 * usable replica identity. So a table leaves this class either published with an identity ({@link Resolution.Replicable#makeFull}
 * lists those that need {@code REPLICA IDENTITY FULL} first), or not published at all: excluded and unlogged tables
 * never reach the publication, and a table the rules refuse stops the stream with its name in the reason.
 *
 * @param always       tables replicated whatever the patterns say; they must exist on the primary
 * @param include      {@code replication.include}; empty replicates no application table
 * @param exclude      {@code replication.exclude}; wins over include
 * @param noPrimaryKey {@code replication.noPrimaryKey}: what to do with a table in scope that has no primary key
 */
public record ReplicationScope(List<TableName> always, List<TablePattern> include, List<TablePattern> exclude,
                               NoPrimaryKey noPrimaryKey) {

    /** What happens to a table in scope without a primary key. */
    public enum NoPrimaryKey {
        /** Set {@code REPLICA IDENTITY FULL} and replicate it; the secondary matches rows on all old values. */
        FULL,
        /** Refuse to replicate it: the stream (and a primary with it in scope) stops with an error naming it. */
        REFUSE
    }

    public ReplicationScope {
        always = List.copyOf(always);
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        if (noPrimaryKey == null) {
            throw new IllegalArgumentException("noPrimaryKey is required");
        }
    }

    /** Only the given tables, no application patterns. */
    public static ReplicationScope tables(List<TableName> always) {
        return new ReplicationScope(always, List.of(), List.of(), NoPrimaryKey.FULL);
    }

    /** Parses comma-separated patterns, e.g. {@code "app.*, billing.invoices"}; blank gives none. */
    public static List<TablePattern> patterns(String commaSeparated) {
        List<TablePattern> out = new ArrayList<>();
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return out;
        }
        for (String part : commaSeparated.split(",")) {
            out.add(TablePattern.parse(part));
        }
        return out;
    }

    /** Whether {@code schema.table} is replicated (before the rules for tables PostgreSQL cannot publish). */
    public boolean covers(String schema, String table) {
        if (always.stream().anyMatch(t -> t.schema().equals(schema) && t.table().equals(table))) {
            return true;
        }
        return include.stream().anyMatch(p -> p.matches(schema, table)) && exclude.stream().noneMatch(p -> p.matches(schema, table));
    }

    /** Whether schema changes in {@code schema} are captured and replayed on the secondary. */
    public boolean capturesSchema(String schema) {
        return include.stream().anyMatch(p -> p.matchesSchema(schema));
    }

    /** Of {@code schemas}, those whose definitions a fresh copy takes from the primary, sorted. */
    public List<String> capturedSchemas(Collection<String> schemas) {
        return schemas.stream().filter(this::capturesSchema).sorted().toList();
    }

    /** Decides, for the primary's tables, what is published and what must change first; see the class comment. */
    public Resolution resolve(Collection<CatalogTable> catalog) {
        Set<TableName> publish = new TreeSet<>(Comparator.comparing(TableName::toString));
        List<TableName> makeFull = new ArrayList<>();
        List<TableName> unlogged = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        String key = "replication.include";
        Set<String> present = catalog.stream().map(CatalogTable::qualified).collect(Collectors.toSet());
        for (TableName table : always) {
            if (!present.contains(table.toString())) {
                refused.add(table + " does not exist on the primary");
            }
        }
        for (CatalogTable t : catalog) {
            if (!covers(t.schema(), t.name())) {
                continue;
            }
            if (t.kind() == 'p' || t.partition()) {
                refused.add(t.qualified() + " is partitioned (or a partition): not replicated yet; add it to replication.exclude");
                continue;
            }
            TableName name = name(t, refused);
            if (name == null) {
                continue;
            }
            if (t.persistence() != 'p') {
                unlogged.add(name);
            } else if (t.hasUsableIdentity()) {
                publish.add(name);
            } else if (noPrimaryKey == NoPrimaryKey.FULL) {
                publish.add(name);
                makeFull.add(name);
            } else {
                key = refused.isEmpty() ? "replication.noPrimaryKey" : key;
                refused.add(name + " has no primary key (replication.noPrimaryKey=refuse; add a primary key, exclude it,"
                        + " or set replication.noPrimaryKey=full)");
            }
        }
        if (!refused.isEmpty()) {
            return new Resolution.Refused(String.join("; ", refused), key);
        }
        return new Resolution.Replicable(List.copyOf(publish), makeFull, unlogged);
    }

    /**
     * Debezium's {@code table.include.list} for a resolved scope: the always-replicated tables by name, and every
     * include pattern minus the excluded and the unpublishable tables. Patterns rather than the resolved names, so a
     * table created later in an included schema passes the filter once the capture trigger publishes it.
     */
    public String debeziumTableFilter(Resolution.Replicable resolved) {
        StringJoiner filter = new StringJoiner(",");
        always.forEach(t -> filter.add(exact(t)));
        if (!include.isEmpty()) {
            StringJoiner not = new StringJoiner("|");
            exclude.forEach(p -> not.add(p.regex()));
            resolved.unlogged().forEach(t -> not.add(exact(t)));
            String lookahead = not.length() == 0 ? "" : "(?!(?:" + not + ")$)";
            include.forEach(p -> filter.add(lookahead + p.regex()));
        }
        return filter.toString();
    }

    private static TableName name(CatalogTable t, List<String> refused) {
        try {
            return new TableName(t.schema(), t.name());
        } catch (IllegalArgumentException e) {
            refused.add("\"" + t.schema() + "\".\"" + t.name() + "\" has a name Understudy cannot replicate (letters, digits,"
                    + " '_' and '$' only); rename or exclude it");
            return null;
        }
    }

    private static String exact(TableName t) {
        return t.schema().replace("$", "\\$") + "\\." + t.table().replace("$", "\\$");
    }

    @Override
    public String toString() {
        return "include=" + include + " exclude=" + exclude + " noPrimaryKey=" + noPrimaryKey.name().toLowerCase(java.util.Locale.ROOT);
    }
}
