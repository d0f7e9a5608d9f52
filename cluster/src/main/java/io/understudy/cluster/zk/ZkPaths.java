package io.understudy.cluster.zk;

import java.util.regex.Pattern;

/**
 * Every ZooKeeper path Understudy uses, in one place. Layout (docs/architecture.md), under
 * {@code /understudy/<cluster>}:
 * <pre>
 *   members/&lt;nodeId&gt;   ephemeral, MemberRecord JSON
 *   election/          Curator LeaderLatch participants
 *   primary            persistent, PrimaryRecord JSON, versioned sets only
 *   history/event-N    persistent sequential, HistoryRecord JSON
 *   commands/command-N persistent sequential, CommandRecord JSON (operator requests)
 *   config             persistent, cluster-wide settings
 *   duties/&lt;name&gt;      persistent, DutyRecord JSON (the last run of each primary-only duty)
 *   roster/&lt;nodeId&gt;    persistent, RosterEntry JSON: every node of the cluster, running or not, and removals
 *   sync               persistent, SyncStandbys JSON: who holds every acknowledged write (sync mode)
 * </pre>
 */
public final class ZkPaths {

    public static final String ROOT = "/understudy";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");

    private final String base;

    public ZkPaths(String clusterName) {
        base = ROOT + "/" + requireName("cluster name", clusterName);
    }

    /** Validates a cluster name or node id: it becomes a znode name. */
    public static String requireName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must match " + NAME.pattern() + ", got '" + name + "'");
        }
        return name;
    }

    public String base() {
        return base;
    }

    public String members() {
        return base + "/members";
    }

    public String member(String nodeId) {
        return members() + "/" + requireName("node id", nodeId);
    }

    public String election() {
        return base + "/election";
    }

    public String primary() {
        return base + "/primary";
    }

    public String history() {
        return base + "/history";
    }

    /** Prefix for persistent-sequential history entries. */
    public String historyEntry() {
        return history() + "/event-";
    }

    public String commands() {
        return base + "/commands";
    }

    /** Prefix for persistent-sequential operator commands ({@code CommandRecord} JSON). */
    public String commandEntry() {
        return commands() + "/command-";
    }

    public String config() {
        return base + "/config";
    }

    public String duties() {
        return base + "/duties";
    }

    /** {@code DutyRecord} JSON of one primary-only duty. */
    public String duty(String name) {
        return duties() + "/" + requireName("duty name", name);
    }

    public String roster() {
        return base + "/roster";
    }

    public String rosterEntry(String nodeId) {
        return roster() + "/" + requireName("node id", nodeId);
    }

    public String sync() {
        return base + "/sync";
    }
}
