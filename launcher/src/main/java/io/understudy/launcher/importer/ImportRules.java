package io.understudy.launcher.importer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Whether an import may start. Pure: the facts are gathered before, nothing is changed until {@link Go}.
 *
 * <p>The rules keep an import from mixing with data the cluster already holds, and from leaving the secondaries
 * unable to follow: it goes only into an empty scope (schemas that do not exist on the primary yet, a files directory
 * without files), through a live primary, into schemas the cluster replicates and captures the schema changes of
 * (the schema is created by the import and reaches the secondaries as replayed statements), with every role that owns
 * an imported object present on every node (a replayed statement naming a missing role would stop a secondary's
 * stream), and while no secondary takes a fresh copy (schema changes are refused on the primary then).
 */
final class ImportRules {

    private ImportRules() {
    }

    /** The outcome. */
    sealed interface Verdict permits Go, Refuse {
    }

    /** Everything holds. */
    record Go() implements Verdict {
    }

    /** @param problems every rule that does not hold, in words for the operator */
    record Refuse(List<String> problems) implements Verdict {
    }

    /**
     * @param primary        the live primary's node id; empty when the cluster has none
     * @param members        every member the switch lists, node id to role name
     * @param configured     node ids whose configuration the import has
     * @param snapshotting   secondaries taking a fresh copy now
     * @param schemas        the schemas asked for
     * @param inSource       those the source holds
     * @param onTarget       those that already exist on the primary
     * @param captured       those the primary's scope replicates and captures schema changes of
     * @param refusesNoKey   the primary's {@code replication.noPrimaryKey} is {@code refuse}
     * @param missingRoles   per node, the owning roles it lacks
     * @param files          what the import's files need and find
     */
    record Facts(Optional<String> primary, Map<String, String> members, Set<String> configured, List<String> snapshotting,
                 List<String> schemas, Set<String> inSource, Set<String> onTarget, Set<String> captured,
                 boolean refusesNoKey, Map<String, Set<String>> missingRoles, Files files) {
    }

    /**
     * @param asked        {@code --files} was given
     * @param targetDir    the primary's {@code app.filesDir}; empty when it has none
     * @param targetFiles  files already in it
     */
    record Files(boolean asked, Optional<String> targetDir, long targetFiles) {
        static final Files NONE = new Files(false, Optional.empty(), 0);
    }

    static Verdict check(Facts f) {
        List<String> problems = new ArrayList<>();
        if (f.primary().isEmpty()) {
            problems.add("the cluster has no live primary; import once 'understudy status' shows one");
            return new Refuse(problems);
        }
        String primary = f.primary().get();
        new TreeMap<>(f.members()).keySet().stream().filter(id -> !f.configured().contains(id)).forEach(id -> problems.add(
                "no configuration for node " + id + " (give --node-config FILE for every node): its copy could not be checked"));
        f.snapshotting().forEach(id -> problems.add("secondary " + id
                + " is taking a fresh copy (SNAPSHOTTING), while schema changes are refused; import once it is STREAMING"));
        for (String schema : f.schemas()) {
            if (!f.inSource().contains(schema)) {
                problems.add("schema " + schema + " is not in the source");
            }
            if (f.onTarget().contains(schema)) {
                problems.add("schema " + schema + " already exists on the primary " + primary
                        + "; the import only loads into schemas that do not exist yet (drop it there first to import again)");
            }
            if (!f.captured().contains(schema)) {
                problems.add("schema " + schema + " is not replicated by the cluster: add " + schema
                        + ".* to replication.include on every node");
            }
        }
        if (f.refusesNoKey()) {
            problems.add("replication.noPrimaryKey is refuse on the primary, but a restore creates each table before its"
                    + " primary key; set it to full (the default) for the import");
        }
        new TreeMap<>(f.missingRoles()).forEach((node, roles) -> {
            if (!roles.isEmpty()) {
                problems.add("node " + node + " lacks the role(s) " + String.join(", ", new java.util.TreeSet<>(roles))
                        + " owning imported objects: create them on every node, or import with --no-owner");
            }
        });
        Files files = f.files();
        if (files.asked() && files.targetDir().isEmpty()) {
            problems.add("--files was given but the primary " + primary + " has no app.filesDir");
        }
        if (files.asked() && files.targetDir().isPresent() && files.targetFiles() > 0) {
            problems.add("the primary's app.filesDir " + files.targetDir().get() + " already holds " + files.targetFiles()
                    + " file(s); the import only loads into an empty directory");
        }
        return problems.isEmpty() ? new Go() : new Refuse(problems);
    }
}
