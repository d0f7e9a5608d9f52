package io.understudy.cluster;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An immutable snapshot of the cluster as read from ZooKeeper: the primary record (if any), every
 * registered member, the cluster-wide settings, the operator commands waiting (oldest first), the
 * roster (every node of the cluster, running or not, and removals) and the synchronous standbys.
 * Decisions are taken on one snapshot at a time.
 */
public record ClusterView(Optional<PrimaryRecord> primary, List<MemberRecord> members, ClusterSettings settings,
                          List<QueuedCommand> commands, List<RosterEntry> roster, Optional<SyncStandbys> sync) {

    public static final ClusterView EMPTY = new ClusterView(Optional.empty(), List.of());

    public ClusterView {
        primary = primary == null ? Optional.empty() : primary;
        members = members.stream().sorted(Comparator.comparing(MemberRecord::nodeId)).toList();
        settings = settings == null ? ClusterSettings.DEFAULTS : settings;
        commands = commands == null ? List.of()
                : commands.stream().sorted(Comparator.comparing(QueuedCommand::znode)).toList();
        roster = roster == null ? List.of() : roster.stream().sorted(Comparator.comparing(RosterEntry::nodeId)).toList();
        sync = sync == null ? Optional.empty() : sync;
    }

    /** A view without roster and synchronous standbys. */
    public ClusterView(Optional<PrimaryRecord> primary, List<MemberRecord> members, ClusterSettings settings,
                       List<QueuedCommand> commands) {
        this(primary, members, settings, commands, List.of(), Optional.empty());
    }

    /** A view with default settings and no commands. */
    public ClusterView(Optional<PrimaryRecord> primary, List<MemberRecord> members) {
        this(primary, members, ClusterSettings.DEFAULTS, List.of());
    }

    /** The same view with {@code record} as the primary record. */
    public ClusterView withPrimary(PrimaryRecord record) {
        return new ClusterView(Optional.of(record), members, settings, commands, roster, sync);
    }

    /** The same view with {@code entries} as the roster. */
    public ClusterView withRoster(List<RosterEntry> entries) {
        return new ClusterView(primary, members, settings, commands, entries, sync);
    }

    /** The same view with {@code standbys} as the synchronous standbys record. */
    public ClusterView withSync(SyncStandbys standbys) {
        return new ClusterView(primary, members, settings, commands, roster, Optional.ofNullable(standbys));
    }

    /** The same view without the commands whose znodes are in {@code znodes} (commands known to be removed already). */
    public ClusterView withoutCommands(java.util.Set<String> znodes) {
        if (znodes.isEmpty() || commands.stream().noneMatch(q -> znodes.contains(q.znode()))) {
            return this;
        }
        return new ClusterView(primary, members, settings, commands.stream().filter(q -> !znodes.contains(q.znode())).toList(),
                roster, sync);
    }

    /** Whether {@code nodeId} was removed from the cluster (and not readmitted since). */
    public boolean removed(String nodeId) {
        return roster.stream().anyMatch(e -> e.nodeId().equals(nodeId) && e.removed());
    }

    /**
     * The nodes of the cluster: those in the roster that were not removed, and any registered member a roster does
     * not list (a node that has not written its entry yet). Sorted.
     */
    public List<String> nodes() {
        java.util.TreeSet<String> nodes = new java.util.TreeSet<>();
        roster.stream().filter(e -> !e.removed()).forEach(e -> nodes.add(e.nodeId()));
        members.stream().map(MemberRecord::nodeId).filter(id -> !removed(id)).forEach(nodes::add);
        return List.copyOf(nodes);
    }

    /**
     * The synchronous standbys that decide who may take over from the recorded primary: the {@code /sync} record of
     * its epoch, when it names any. Empty when any eligible secondary may (async mode, degraded, or no record yet).
     */
    public List<String> syncStandbysOfPrimary() {
        return primary.flatMap(p -> sync.filter(s -> s.appliesTo(p))).map(SyncStandbys::standbys).orElse(List.of());
    }

    /** The oldest waiting operator command, which is the only one acted on. */
    public Optional<QueuedCommand> nextCommand() {
        return commands.stream().findFirst();
    }

    public Optional<MemberRecord> member(String nodeId) {
        return members.stream().filter(m -> m.nodeId().equals(nodeId)).findFirst();
    }

    /** The epoch of the current primary record, or 0 when the cluster has none yet. */
    public long epoch() {
        return primary.map(PrimaryRecord::epoch).orElse(0L);
    }

    /**
     * The primary only while its owner is registered as a member that itself says it is PRIMARY in
     * the record's epoch. A record whose node has no ephemeral member znode names a dead or
     * partitioned node; one whose member says DEMOTED (or an older epoch) has closed its write gate.
     */
    public Optional<PrimaryRecord> livePrimary() {
        return primary.filter(p -> member(p.nodeId())
                .filter(m -> m.role() == Role.PRIMARY && m.epoch() == p.epoch())
                .isPresent());
    }
}
