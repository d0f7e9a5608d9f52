package io.understudy.replicator;

import static io.understudy.replicator.PgPair.count;
import static io.understudy.replicator.PgPair.exec;
import static io.understudy.replicator.PgPair.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.debezium.connector.postgresql.connection.PostgresReplicationConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.util.PSQLState;
import org.slf4j.LoggerFactory;

/**
 * A stream that resumes while its slot on the source is still held by another connection (the walsender of the
 * connector's own earlier start, or of a client that vanished) is refused by the source ("replication slot ... is
 * active") and tries again. Once the slot is free it must stream within seconds: with Debezium's default retry delay of
 * 10 s a rejoined secondary stood 10 s behind (see {@code EngineProperties}).
 */
class SlotHeldIT extends WithPgPair {

    private static final Duration WAIT = Duration.ofSeconds(60); // generous: CI machines are shared; not a speed check
    /** How soon after the slot is freed the held-back rows must be on the target: well below the 10 s default delay. */
    private static final Duration STREAMS_WITHIN = Duration.ofSeconds(5);

    private final Logger connectorLog = (Logger) LoggerFactory.getLogger(PostgresReplicationConnection.class);
    private final SlotRefusals refusals = new SlotRefusals();

    @AfterEach
    void stopListening() {
        connectorLog.detachAppender(refusals);
        refusals.stop();
    }

    @Test
    void aStreamResumedWhileItsSlotIsHeldStreamsWithinSecondsOfTheSlotBeingFreed() throws Exception {
        pg.both("CREATE TABLE public.held_items (id bigint PRIMARY KEY, name text)");
        ReplicatorConfig config = pg.config("it_held", dataDir, "public.held_items");
        try (Replicator first = new Replicator(config, pg.targetPool, new Recorder())) {
            first.start();
            exec(pg.source, "INSERT INTO held_items SELECT g, 'before' FROM generate_series(1, 10) g");
            await().atMost(WAIT).until(() -> count(pg.target, "SELECT count(*) FROM held_items") == 10);
        }
        String slotActive = "SELECT active::text FROM pg_replication_slots WHERE slot_name = 'it_held'";
        await().atMost(WAIT).until(() -> rows(pg.source, slotActive), r -> r.equals(List.of("false")));

        refusals.start();
        connectorLog.addAppender(refusals);
        Connection holder = replicationConnection();
        try {
            PGReplicationStream held = holdSlot(holder, "it_held");
            assertThat(rows(pg.source, "SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = 'it_held'"))
                    .containsExactly(Integer.toString(holder.unwrap(PGConnection.class).getBackendPID()));
            exec(pg.source, "INSERT INTO held_items SELECT g, 'while held' FROM generate_series(11, 20) g");

            Recorder recorder = new Recorder();
            try (Replicator resumed = new Replicator(config, pg.targetPool, recorder)) {
                resumed.start();
                await().atMost(WAIT).until(() -> refusals.count() > 0); // its retry loop is running
                assertThat(count(pg.target, "SELECT count(*) FROM held_items WHERE id > 10")).isZero();

                held.close();
                holder.close();
                await("the rows committed while the slot was held, on the target").atMost(STREAMS_WITHIN)
                        .until(() -> count(pg.target, "SELECT count(*) FROM held_items WHERE id > 10") == 10);

                assertThat(resumed.status().state()).isEqualTo(State.STREAMING);
                assertThat(recorder.states()).doesNotContain(State.SNAPSHOTTING);
            }
        } finally {
            holder.close();
        }
    }

    /** A replication connection to the source, as a logical replication client opens one. */
    private static Connection replicationConnection() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", "");
        p.setProperty("replication", "database");
        p.setProperty("assumeMinServerVersion", "10");
        p.setProperty("preferQueryMode", "simple");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.source.getPort() + "/postgres", p);
    }

    /** Streams {@code slot} from its confirmed position without acknowledging anything: the slot stays where it was. */
    private static PGReplicationStream holdSlot(Connection replication, String slot) throws SQLException {
        String confirmed = rows(pg.source, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                + slot + "'").get(0);
        return replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                .withSlotName(slot)
                .withStartPosition(LogSequenceNumber.valueOf(confirmed))
                .withSlotOption("proto_version", "1")
                .withSlotOption("publication_names", slot) // each stream's publication bears its slot's name
                .start();
    }

    /** Counts the connector's refused starts of the replication stream: the source said the slot is in use. */
    private static final class SlotRefusals extends AppenderBase<ILoggingEvent> {

        private final AtomicInteger refused = new AtomicInteger();

        int count() {
            return refused.get();
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getThrowableProxy() instanceof ThrowableProxy proxy && slotInUse(proxy.getThrowable())) {
                refused.incrementAndGet();
            }
        }

        private static boolean slotInUse(Throwable error) {
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof SQLException e && PSQLState.OBJECT_IN_USE.getState().equals(e.getSQLState())) {
                    return true;
                }
            }
            return false;
        }
    }
}
