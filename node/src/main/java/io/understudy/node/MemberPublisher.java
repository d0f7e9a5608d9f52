package io.understudy.node;

import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.MemberRecord.Candidacy;
import io.understudy.cluster.Role;
import io.understudy.node.election.ZkCoordinator;
import io.understudy.node.role.Eligibility;
import io.understudy.node.role.StreamState;
import io.understudy.node.role.WriteGate;
import io.understudy.node.store.Database;
import io.understudy.node.store.DbProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds this node's member record and publishes it under {@code /members}. Publishing runs on the
 * event thread only; {@link #memberRecord()} and {@link #healthy()} may be called from any thread.
 */
final class MemberPublisher {

    private static final Logger log = LoggerFactory.getLogger(MemberPublisher.class);

    private final NodeConfig config;
    private final Database db;
    private final WriteGate gate;
    private final ReplicationManager replication;
    private final DbProbe probe;
    private final String version;
    private final ControllerState state;
    /** Null until the controller starts; nothing is published before. */
    private ZkCoordinator zk;
    /** What the last published member record said that others decide on (role, epoch, health). */
    private String publishedGist = "";

    MemberPublisher(NodeConfig config, Database db, WriteGate gate, ReplicationManager replication, DbProbe probe,
            String version, ControllerState state) {
        this.config = config;
        this.db = db;
        this.gate = gate;
        this.replication = replication;
        this.probe = probe;
        this.version = version;
        this.state = state;
    }

    void attach(ZkCoordinator coordinator) {
        this.zk = coordinator;
    }

    void publishMember() throws Exception {
        if (zk != null) {
            publish(memberRecord());
        }
    }

    /** Publishes {@code record}, just built by {@link #memberRecord()}. */
    void publish(MemberRecord record) throws Exception {
        publishedGist = gist();
        zk.publishMember(record);
    }

    /** Others decide on role, epoch and health (a switchover target must be a healthy secondary): publish at once. */
    void publishMemberIfChanged() throws Exception {
        if (!gist().equals(publishedGist)) {
            publishMember();
        }
    }

    /** Role, epoch, health and eligibility as the member record would say them, without building one (every tick). */
    private String gist() {
        return state.role + "@" + state.epoch() + (healthy() ? "+" : "-") + (state.eligibility.eligible() ? "E" : "e");
    }

    MemberRecord memberRecord() {
        long position = 0;
        long lagMs = -1;
        if (state.role == Role.PRIMARY) {
            try {
                position = dbAnswers() ? db.currentWalPosition() : 0;
            } catch (java.sql.SQLException e) {
                log.warn("cannot read WAL position: {}", e.getMessage());
            }
        } else {
            StreamState stream = replication.stream();
            position = stream.appliedPosition();
            lagMs = replication.lagMs();
        }
        Eligibility now = state.eligibility;
        Candidacy candidacy = new Candidacy(now.eligible(), now.reason(), config.tags().priority(), config.tags().nofailover(),
                state.role == Role.PRIMARY ? position : replication.heldPosition());
        return new MemberRecord(config.nodeId(), config.apiAdvertisedUrl(), config.dbAdvertisedAddress(), state.role,
                state.epoch(), position, lagMs, healthy(), version, System.currentTimeMillis(), replication.info(state.role),
                candidacy, config.app().advertisedUrl());
    }

    /** Able to serve its role: its database answers, and it is the primary with an open gate or a secondary streaming a complete copy. */
    boolean healthy() {
        if (!dbAnswers()) {
            return false;
        }
        return switch (state.role) {
            case PRIMARY -> gate.admit() instanceof WriteGate.Verdict.Open;
            case SECONDARY -> replication.streaming();
            default -> false;
        };
    }

    boolean dbAnswers() {
        return probe.health(config.dbFailTimeoutMs()).reachable();
    }
}
