package io.understudy.cluster;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An immutable snapshot of the cluster as read from ZooKeeper: the primary record (if any), every
 * registered member, the cluster-wide settings and the operator commands waiting, oldest first.
 * Decisions are taken on one snapshot at a time.
 */
public record ClusterView(Optional<PrimaryRecord> primary, List<MemberRecord> members, ClusterSettings settings,
                          List<QueuedCommand> commands) {

    public static final ClusterView EMPTY = new ClusterView(Optional.empty(), List.of());

    public ClusterView {
        primary = primary == null ? Optional.empty() : primary;
        members = members.stream().sorted(Comparator.comparing(MemberRecord::nodeId)).toList();
        settings = settings == null ? ClusterSettings.DEFAULTS : settings;
        commands = commands == null ? List.of()
                : commands.stream().sorted(Comparator.comparing(QueuedCommand::znode)).toList();
    }

    /** A view with default settings and no commands. */
    public ClusterView(Optional<PrimaryRecord> primary, List<MemberRecord> members) {
        this(primary, members, ClusterSettings.DEFAULTS, List.of());
    }

    /** The same view with {@code record} as the primary record. */
    public ClusterView withPrimary(PrimaryRecord record) {
        return new ClusterView(Optional.of(record), members, settings, commands);
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
