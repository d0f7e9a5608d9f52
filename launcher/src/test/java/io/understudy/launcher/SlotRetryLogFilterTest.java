package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.read.ListAppender;
import io.debezium.connector.postgresql.connection.PostgresReplicationConnection;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The filter as the launcher's Logback configuration installs it, fed the connector's own message. */
class SlotRetryLogFilterTest {

    private static final String RETRY = SlotRetryLogFilter.MESSAGE_START
            + "LSN{0/1A2B3C8}, waiting for {} ms and retrying, attempt number {} over {}";

    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void theFirstTryAndEveryTwentiethArePrinted() throws Exception {
        Logger connector = configured();
        SQLException refused = new SQLException("ERROR: replication slot \"understudy_b\" is active for PID 4242");
        for (int attempt = 1; attempt <= 240; attempt++) {
            connector.warn(RETRY, 250L, attempt, 240, refused);
        }

        assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                List.of(1, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220, 240).stream()
                        .map(n -> "Failed to start replication stream at LSN{0/1A2B3C8}, waiting for 250 ms and retrying, "
                                + "attempt number " + n + " over 240")
                        .toArray(String[]::new));
        assertThat(seen.list).allSatisfy(e -> assertThat(e.getThrowableProxy().getMessage()).contains("is active"));
    }

    @Test
    void theConnectorsOtherWarningsAndOtherLoggersPass() throws Exception {
        Logger connector = configured();
        connector.warn("Failed to capture current statement_timeout", new SQLException("gone"));
        connector.warn(RETRY, 250L, "not a number", 240);
        context.getLogger("io.understudy.replicator.Replicator").warn(RETRY, 250L, 7, 240);

        assertThat(seen.list).hasSize(3);
    }

    @Test
    void theConnectorStillLogsThisMessage() throws Exception {
        // The filter matches the connector's text; a release that rewords it must be met here, not by a silent filter.
        String classFile = PostgresReplicationConnection.class.getName().replace('.', '/') + ".class";
        try (InputStream in = PostgresReplicationConnection.class.getClassLoader().getResourceAsStream(classFile)) {
            String constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(constants).contains(SlotRetryLogFilter.MESSAGE_START.strip())
                    .contains(", waiting for {} ms and retrying, attempt number {} over {}");
        }
        assertThat(PostgresReplicationConnection.class.getName()).isEqualTo(SlotRetryLogFilter.LOGGER_NAME);
    }

    /** The shipped configuration, with the list appender of this test in place of the console. */
    private Logger configured() throws Exception {
        context.setMDCAdapter(new LogbackMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try (InputStream xml = SlotRetryLogFilter.class.getResourceAsStream("/logback.xml")) {
            configurator.doConfigure(xml);
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        seen.setContext(context);
        seen.start();
        root.addAppender(seen);
        return context.getLogger(SlotRetryLogFilter.LOGGER_NAME);
    }
}
