package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.replicator.apply.ApplyException;
import java.io.EOFException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectionLossTest {

    static Stream<Arguments> errors() {
        return Stream.of(
                // a connection broke or was refused: a restart from the state row cures it
                Arguments.of("I/O error, SQLSTATE 08006", new SQLException("An I/O error occurred", "08006"), true),
                Arguments.of("connection refused, 08001", new SQLException("Connection refused", "08001"), true),
                Arguments.of("closed connection, 08003", new SQLException("This connection has been closed.", "08003"), true),
                Arguments.of("admin shutdown 57P01", new SQLException("terminating connection", "57P01"), true),
                Arguments.of("crash shutdown 57P02", new SQLException("terminating connection", "57P02"), true),
                Arguments.of("starting up 57P03", new SQLException("the database system is starting up", "57P03"), true),
                Arguments.of("pool timeout", new SQLTransientConnectionException("Connection is not available"), true),
                Arguments.of("socket", new ConnectException("Connection refused"), true),
                Arguments.of("EOF", new EOFException(), true),
                Arguments.of("deep in the chain", new RuntimeException("engine failed",
                        new IllegalStateException("producer", new SQLException("I/O", "08006"))), true),
                Arguments.of("apply failed on a dead target", new ApplyException("target rejected insert",
                        new SQLException("An I/O error occurred", "08006")), true),
                // anything else: retrying cannot help
                Arguments.of("framing", new IllegalStateException("END of transaction 7 without its BEGIN"), false),
                Arguments.of("schema mismatch", new ApplyException("schema mismatch: column public.t.n",
                        new SQLException("invalid input syntax for type integer", "22P02")), false),
                Arguments.of("missing column", new SQLException("column \"extra\" does not exist", "42703"), false),
                Arguments.of("no SQLSTATE", new SQLException("something"), false),
                Arguments.of("null", null, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void classifies(String what, Throwable error, boolean lost) {
        assertThat(ConnectionLoss.of(error).isPresent()).as(what).isEqualTo(lost);
    }

    @Test
    void aCyclicCauseChainEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(ConnectionLoss.of(a)).isEmpty();
    }

    @Test
    void theDescriptionNamesTheStateAndMessage() {
        assertThat(ConnectionLoss.of(new RuntimeException(new SQLException("An I/O error occurred", "08006"))))
                .hasValue("SQLException [SQLSTATE 08006]: An I/O error occurred");
    }
}
