package io.understudy.launcher;

import io.understudy.cluster.config.LogSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a child's log file from a given offset and echoes each complete line to the console,
 * prefixed with {@code [name]} in text format and as it is in JSON format. The child writes the
 * file itself, so nothing is lost when the appliance stops reading or dies; echoing ends once
 * {@code finished} holds and the file is drained.
 */
final class LogEcho {

    private static final Logger LOG = LoggerFactory.getLogger(LogEcho.class);
    private static final Logger ECHO = LoggerFactory.getLogger("understudy.child");
    private static final Duration POLL = Duration.ofMillis(100);

    private LogEcho() {
    }

    static void start(String name, Path file, long offset, BooleanSupplier finished) {
        // JSON lines stand alone (each names its process): a prefix would make them unreadable to a log shipper
        String prefix = LogFormat.inEffect() == LogSettings.Format.JSON ? "" : "[" + name + "] ";
        Thread thread = new Thread(() -> follow(prefix, file, offset, finished), "echo-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void follow(String prefix, Path file, long offset, BooleanSupplier finished) {
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(offset);
            while (true) {
                boolean last = finished.getAsBoolean();
                int read;
                while ((read = in.read(buffer)) > 0) {
                    for (int i = 0; i < read; i++) {
                        if (buffer[i] == '\n') {
                            ECHO.info("{}{}", prefix, partial.toString(StandardCharsets.UTF_8));
                            partial.reset();
                        } else {
                            partial.write(buffer[i]);
                        }
                    }
                }
                if (last) {
                    if (partial.size() > 0) {
                        ECHO.info("{}{}", prefix, partial.toString(StandardCharsets.UTF_8));
                    }
                    return;
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (IOException e) {
            LOG.warn("stopped echoing {}: {}", file, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
