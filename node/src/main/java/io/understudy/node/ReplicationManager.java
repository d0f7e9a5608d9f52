package io.understudy.node;

import static io.understudy.node.role.StreamState.sourceIdOf;

import io.understudy.cluster.PrimaryRecord;
import io.understudy.node.role.StreamState;
import io.understudy.node.store.Database;
import io.understudy.replicator.ReplicationListener;
import io.understudy.replicator.ReplicationStatus;
import io.understudy.replicator.Replicator;
import io.understudy.replicator.ReplicatorConfig;
import io.understudy.replicator.State;
import java.time.Duration;
import java.util.List;

/**
 * The node's one replication stream, from the current primary's database into its own. Called
 * only from the node's event thread, except the read-only status methods.
 */
final class ReplicationManager implements AutoCloseable {

    /** Prefix of every slot and publication Understudy creates. */
    static final String SLOT_PREFIX = "understudy_";

    /** The node's tables that secondaries copy; each has a primary key. */
    static final List<String> REPLICATED_TABLES =
            List.of("public.objects", "public.files", "public.file_chunks", "public.idempotency_keys");

    private final NodeConfig config;
    private final Database db;
    private final ReplicationListener listener;
    private volatile Replicator current;
    private volatile String currentSourceId;

    ReplicationManager(NodeConfig config, Database db, ReplicationListener listener) {
        this.config = config;
        this.db = db;
        this.listener = listener;
    }

    /** Starts streaming from {@code primary}, replacing any stream from an earlier primary. */
    void follow(PrimaryRecord primary) {
        close();
        Address source = Address.parse(primary.dbAddress());
        ReplicatorConfig rc = new ReplicatorConfig(config.replicationName(), sourceIdOf(primary), source.host(),
                source.port(), source.database(), config.replicationUser(), config.replicationPassword(),
                REPLICATED_TABLES, config.dataDir().resolve("replication"), config.replicationPollIntervalMs(),
                config.replicationHeartbeatIntervalMs());
        Replicator replicator = new Replicator(rc, db.dataSource(), listener);
        currentSourceId = rc.sourceId();
        current = replicator;
        replicator.start();
    }

    /**
     * Applies what the source had committed (bounded by {@code timeout}), stops, and returns the
     * last applied source position; 0 when there was no stream.
     */
    long drainAndStop(Duration timeout) throws InterruptedException {
        Replicator replicator = current;
        if (replicator == null) {
            return 0;
        }
        try {
            return replicator.drain(timeout);
        } finally {
            replicator.close();
            current = null;
        }
    }

    StreamState stream() {
        Replicator replicator = current;
        if (replicator == null) {
            return StreamState.NONE;
        }
        ReplicationStatus st = replicator.status();
        return new StreamState(currentSourceId, st.snapshotComplete(), st.state() == State.FAILED,
                st.appliedPosition());
    }

    long lagMs() {
        Replicator replicator = current;
        return replicator == null ? -1 : replicator.status().lagMs();
    }

    boolean streaming() {
        Replicator replicator = current;
        return replicator != null && replicator.status().state() == State.STREAMING
                && replicator.status().snapshotComplete();
    }

    @Override
    public void close() {
        Replicator replicator = current;
        current = null;
        if (replicator != null) {
            replicator.close();
        }
    }

    /** {@code host:port/database}, as published in member and primary records. */
    record Address(String host, int port, String database) {
        static Address parse(String text) {
            int colon = text.lastIndexOf(':');
            int slash = text.indexOf('/', colon + 1);
            if (colon <= 0 || slash < 0) {
                throw new IllegalArgumentException("database address must be host:port/database, got '" + text + "'");
            }
            return new Address(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1, slash)),
                    text.substring(slash + 1));
        }
    }
}
