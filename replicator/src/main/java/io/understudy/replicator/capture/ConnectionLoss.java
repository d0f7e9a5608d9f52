package io.understudy.replicator.capture;

import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pure classification of an error: did a database connection break (a server crashed, restarted or is not reachable
 * yet), which a restart of the stream from the target's state row cures, or is it anything else (bad data, schema
 * mismatch, broken framing), which no retry can fix? Looks through the whole cause chain.
 */
public final class ConnectionLoss {

    /**
     * SQLSTATEs of a lost or refused connection: class 08 (connection exception), and 57P01 admin shutdown,
     * 57P02 crash shutdown (another backend crashed), 57P03 cannot connect now (starting up or in recovery).
     */
    private static final Set<String> SERVER_GOING_AWAY = Set.of("57P01", "57P02", "57P03");

    private ConnectionLoss() {
    }

    /** The first error in {@code error}'s cause chain that shows a broken connection, described; empty if none does. */
    public static Optional<String> of(Throwable error) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = error; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (isConnectionError(t)) {
                return Optional.of(describe(t));
            }
        }
        return Optional.empty();
    }

    private static boolean isConnectionError(Throwable t) {
        if (t instanceof SQLTransientConnectionException) {
            return true;
        }
        if (t instanceof SQLException sql) {
            String state = sql.getSQLState();
            return state != null && (state.startsWith("08") || SERVER_GOING_AWAY.contains(state));
        }
        return t instanceof SocketException || t instanceof SocketTimeoutException || t instanceof EOFException
                || t instanceof UnknownHostException;
    }

    private static String describe(Throwable t) {
        String state = t instanceof SQLException sql && sql.getSQLState() != null ? " [SQLSTATE " + sql.getSQLState() + "]" : "";
        return t.getClass().getSimpleName() + state + ": " + t.getMessage();
    }
}
