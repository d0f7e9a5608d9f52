package io.understudy.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Thins out the PostgreSQL connector's warning for each refused start of a replication stream.
 *
 * <p>A replicator whose stream is refused because the source still holds its slot for an earlier
 * connection (a walsender whose client vanished keeps it until the source's {@code wal_sender_timeout})
 * tries again every 250 ms for up to a minute, and the connector logs every try as a warning with
 * the whole stack trace: up to 240 of them. This filter lets the first try's warning through and
 * then every {@link #EVERY 20th} (one each 5 s), which still tells an
 * operator that the stream is waiting and for how long; the connector's other warnings pass.
 */
public final class SlotRetryLogFilter extends TurboFilter {

    static final String LOGGER_NAME = "io.debezium.connector.postgresql.connection.PostgresReplicationConnection";
    /** How the connector's message begins; the try's number is its second argument. */
    static final String MESSAGE_START = "Failed to start replication stream at ";

    /** One warning in this many tries passes: every 5 s at the replicator's 250 ms between tries. */
    private static final int EVERY = 20;

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null || level != Level.WARN || !LOGGER_NAME.equals(logger.getName())
                || !format.startsWith(MESSAGE_START) || params == null || params.length < 2
                || !(params[1] instanceof Integer attempt)) {
            return FilterReply.NEUTRAL;
        }
        return attempt == 1 || attempt % EVERY == 0 ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
