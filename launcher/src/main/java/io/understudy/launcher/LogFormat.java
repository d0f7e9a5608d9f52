package io.understudy.launcher;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import io.understudy.cluster.config.LogSettings;
import io.understudy.cluster.config.LogSettings.Format;
import org.slf4j.LoggerFactory;

/**
 * Puts {@link LogSettings} into effect: {@code logback.xml} picks its console appender by the system
 * property {@value #PROPERTY}, so choosing a format is setting that property before Logback reads
 * its configuration, or reading the configuration again when it already has.
 */
final class LogFormat {

    /** Read by {@code logback.xml}; also tells child processes' echo which format the appliance writes. */
    static final String PROPERTY = "understudy.log.format";
    /** Read by {@code logback.xml} as the context name: which process wrote a line. */
    static final String PROCESS = "understudy.process";
    /** As the parent process named this one on its command line ({@code -Dunderstudy.process}), or null. */
    private static final String GIVEN_NAME = System.getProperty(PROCESS);

    private LogFormat() {
    }

    /** The name this process logs under: as its parent named it, else {@code fallback}. */
    static String processName(String fallback) {
        return GIVEN_NAME != null ? GIVEN_NAME : fallback;
    }

    /** The format this process writes now. */
    static Format inEffect() {
        return Format.JSON.key().equals(System.getProperty(PROPERTY)) ? Format.JSON : Format.TEXT;
    }

    /**
     * Makes every later log line of this process use {@code format} and name {@code process} (the
     * context name, in every JSON line).
     */
    static void use(Format format, String process) {
        System.setProperty(PROPERTY, format.key());
        System.setProperty(PROCESS, process);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (!format.key().equals(context.getProperty(PROPERTY)) || !process.equals(context.getName())) {
            context.reset();
            try {
                new ContextInitializer(context).autoConfig();
            } catch (JoranException e) {
                throw new IllegalStateException("cannot configure logging for " + format.key() + " lines", e);
            }
        }
    }
}
