package io.understudy.node.replication;

import io.understudy.cluster.config.ConfigException;
import io.understudy.replicator.scope.CaptureSchema;
import io.understudy.replicator.scope.ReplicationScope;
import io.understudy.replicator.scope.Resolution;
import io.understudy.replicator.scope.ScopeCatalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's tables in this node's database, as far as the node's roles touch them: checked against the
 * scope at start, prepared to serve as primary (schema changes captured, replica identities set, sequences moved past
 * what the old primary used), and, as primary, the sequences' values recorded for a successor. Event thread only.
 * See docs/replication-scope.md.
 */
public final class AppDatabase {

    private static final Logger log = LoggerFactory.getLogger(AppDatabase.class);

    private final DataSource db;
    private final ScopeSettings settings;
    private final ReplicationScope scope;
    private final SequenceKeeper sequences;
    private final List<String> always;
    private long lastMarkMs;

    /** @param always the tables replicated whatever the patterns say */
    public AppDatabase(DataSource db, ScopeSettings settings, List<String> always) {
        this.db = db;
        this.settings = settings;
        this.always = List.copyOf(always);
        this.scope = settings.scope(always);
        this.sequences = new SequenceKeeper(db);
    }

    public ReplicationScope scope() {
        return scope;
    }

    /**
     * At start, on every node: Understudy's tables, then the scope checked against this database, so a node whose
     * rules refuse one of its tables stops here with the table's name.
     *
     * @throws ConfigException naming the configuration file and the key that refuses
     */
    public void checkAtStart() throws SQLException {
        try (Connection c = db.getConnection()) {
            CaptureSchema.ensureTables(c);
            if (scope.resolve(ScopeCatalog.tables(c)) instanceof Resolution.Refused refused) {
                throw new ConfigException(settings.source(), refused.key(), refused.reason());
            }
        }
        log.info("replication scope: {} ({})", scope, scope.include().isEmpty() ? "no application tables"
                : "schema changes captured in the schemas of " + scope.include());
    }

    /**
     * As new primary, before the write gate opens: captures schema changes of the application's schemas (or stops
     * capturing, without any), and gives tables in scope without a primary key their {@code REPLICA IDENTITY FULL}.
     *
     * @throws io.understudy.replicator.scope.ScopeRefused when the rules refuse a table in scope
     */
    public void prepareSource() throws SQLException {
        try (Connection c = db.getConnection()) {
            if (scope.include().isEmpty()) {
                CaptureSchema.clearCapture(c);
            } else {
                CaptureSchema.installCapture(c, scope);
            }
            ScopeCatalog.prepare(c, scope);
        }
    }

    /** As new primary after a drain, before the write gate opens: every sequence moved past what the old primary used. */
    public void advanceSequences() throws SQLException {
        sequences.advance(sequenceSchemas(), settings.sequenceGap());
    }

    /** What {@link #advanceSequences} would do now, read and decided but not done (a rehearsal); any role. */
    public int previewSequences() throws SQLException {
        return sequences.preview(sequenceSchemas(), settings.sequenceGap());
    }

    /** As primary with its write gate open, at most once per {@code replication.sequenceMarkIntervalMs}. */
    public void markSequences(long nowMs) {
        if (nowMs - lastMarkMs < settings.sequenceMarkIntervalMs()) {
            return;
        }
        lastMarkMs = nowMs;
        try {
            sequences.mark(sequenceSchemas());
        } catch (SQLException e) {
            log.warn("cannot record sequence values: {}", e.getMessage());
        }
    }

    /** The tables this node replicates, as resolved against its own database (the always-replicated ones if it refuses). */
    public List<String> replicatedTables() {
        try (Connection c = db.getConnection()) {
            if (scope.resolve(ScopeCatalog.tables(c)) instanceof Resolution.Replicable ok) {
                return ok.publish().stream().map(Object::toString).toList();
            }
        } catch (SQLException e) {
            log.warn("cannot read the tables in scope ({}); the always-replicated ones only", e.getMessage());
        }
        return always;
    }

    /** Schemas whose sequences are carried over a failover: the application's and Understudy's own. */
    private List<String> sequenceSchemas() throws SQLException {
        try (Connection c = db.getConnection()) {
            List<String> schemas = new ArrayList<>(scope.capturedSchemas(ScopeCatalog.schemas(c)));
            schemas.add("understudy");
            return schemas;
        }
    }
}
