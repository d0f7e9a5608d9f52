package io.understudy.node.role;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.Role;
import java.util.Objects;

/**
 * Everything a role decision looks at, as plain values: one snapshot, taken on the node's event thread.
 *
 * @param nodeId    this node
 * @param role      its current role
 * @param epoch     the epoch it holds as primary, or last held; 0 if never primary
 * @param link      the ZooKeeper link
 * @param gateOpen  the write gate is open
 * @param leader    holds the election latch
 * @param view      the cluster as last read from ZooKeeper
 * @param stream    this node's replication stream from the current primary (or {@link StreamState#NONE})
 * @param fitness   its tags, database health and the positions the lag rule compares
 * @param rejoin    what this node knows about rejoining after having been primary
 */
public record Situation(String nodeId, Role role, long epoch, ZkLink link, boolean gateOpen, boolean leader,
                        ClusterView view, StreamState stream, Fitness fitness, RejoinState rejoin) {

    public Situation {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(fitness, "fitness");
        Objects.requireNonNull(rejoin, "rejoin");
    }

    /** A situation with {@link Fitness#DEFAULT} (default tags, a healthy database, no known primary position) and nothing to rejoin from. */
    public Situation(String nodeId, Role role, long epoch, ZkLink link, boolean gateOpen, boolean leader,
                     ClusterView view, StreamState stream) {
        this(nodeId, role, epoch, link, gateOpen, leader, view, stream, Fitness.DEFAULT, RejoinState.NONE);
    }

    /** A node with nothing to rejoin from. */
    public Situation(String nodeId, Role role, long epoch, ZkLink link, boolean gateOpen, boolean leader,
                     ClusterView view, StreamState stream, Fitness fitness) {
        this(nodeId, role, epoch, link, gateOpen, leader, view, stream, fitness, RejoinState.NONE);
    }

    /** A node with {@link Fitness#DEFAULT}. */
    public Situation(String nodeId, Role role, long epoch, ZkLink link, boolean gateOpen, boolean leader,
                     ClusterView view, StreamState stream, RejoinState rejoin) {
        this(nodeId, role, epoch, link, gateOpen, leader, view, stream, Fitness.DEFAULT, rejoin);
    }

    public Situation withFitness(Fitness next) {
        return new Situation(nodeId, role, epoch, link, gateOpen, leader, view, stream, next, rejoin);
    }

    public boolean connected() {
        return link == ZkLink.CONNECTED;
    }
}
