package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lines through a {@link BatchingConsoleAppender} into a stream of the test's, in their own Logback context. */
class BatchingConsoleAppenderTest {

    private final LoggerContext context = new LoggerContext();

    {
        context.setMDCAdapter(new LogbackMDCAdapter());
    }
    private final Logger logger = context.getLogger("understudy.access");
    private final CountingStream out = new CountingStream();

    @AfterEach
    void stop() {
        out.release.countDown();
        context.stop();
    }

    @Test
    void aLineAppearsWithoutWaitingForMore() {
        start(8192, 60_000);

        logger.info("first");
        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().equals("INFO first\n"));
        // the writer rests a minute after a write; the queue filling up wakes it (see below), nothing else does
    }

    @Test
    void linesQueuedWhileTheWriterWritesGoOutInOneWrite() throws Exception {
        out.blockFirstWrite = true;
        start(8192, 0);

        logger.info("line 0");
        assertThat(out.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 500; i++) {
            logger.info("line {}", i);
        }
        out.release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().endsWith("line 500\n"));
        assertThat(out.text().lines().toList()).isEqualTo(IntStream.rangeClosed(0, 500).mapToObj(i -> "INFO line " + i).toList());
        assertThat(out.writes.get()).isEqualTo(2);
    }

    @Test
    @Timeout(60) // a logger waiting for room must wake the resting writer, not wait out its ten-minute rest
    void aFullQueueMakesTheLoggerWaitAndStopWritesEverything() throws Exception {
        start(16, 600_000);
        List<Thread> loggers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String name = "t" + t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 5000; i++) {
                    logger.info("{} {}", name, i);
                }
            }, name);
            thread.start();
            loggers.add(thread);
        }
        for (Thread thread : loggers) {
            thread.join();
        }
        context.stop();

        List<String> lines = out.text().lines().toList();
        assertThat(lines).hasSize(20_000);
        for (int t = 0; t < 4; t++) {
            String prefix = "INFO t" + t + " ";
            assertThat(lines.stream().filter(l -> l.startsWith(prefix)).toList())
                    .isEqualTo(IntStream.range(0, 5000).mapToObj(i -> prefix + i).toList());
        }
    }

    @Test
    void withFormatOnWriterTheWriterFormatsTheMessageButThreadAndMdcAreTheLoggers() throws Exception {
        start(8192, 0, true, pattern("%level [%thread %X{node}] %msg%n"));
        Thread thread = new Thread(() -> {
            context.getMDCAdapter().put("node", "a");
            logger.info("{} {}", "formatted by", new FormattedBy());
        }, "io-1");
        thread.start();
        thread.join();

        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().endsWith("\n"));
        assertThat(out.text()).isEqualTo("INFO [io-1 a] formatted by log-writer-access\n");
    }

    @Test
    void withFormatOnWriterJsonLinesCarryTheFormattedMessageAndTheLoggersThread() throws Exception {
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        json.setWithArguments(false);
        json.setWithFormattedMessage(true);
        json.start();
        start(8192, 0, true, json);
        Thread thread = new Thread(() -> logger.info("{}", new FormattedBy()), "io-2");
        thread.start();
        thread.join();
        context.stop();

        JsonNode line = ClusterJson.MAPPER.readTree(out.text().lines().findFirst().orElseThrow());
        assertThat(line.path("formattedMessage").asText()).isEqualTo("log-writer-access");
        assertThat(line.path("threadName").asText()).isEqualTo("io-2");
        assertThat(line.path("level").asText()).isEqualTo("INFO");
    }

    @Test
    void withoutAReferencedConsoleAppenderItDoesNotStart() {
        BatchingConsoleAppender appender = new BatchingConsoleAppender();
        appender.setContext(context);
        appender.setName("access");
        appender.start();

        assertThat(appender.isStarted()).isFalse();
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .anySatisfy(s -> assertThat(s.getMessage()).contains("must reference exactly one console appender"));
    }

    private void start(int queueSize, int maxDelayMs) {
        start(queueSize, maxDelayMs, false, pattern("%level %msg%n"));
    }

    private PatternLayoutEncoder pattern(String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    /** As logback.xml sets it up: a console appender with the encoder, referenced by the batching one. */
    private void start(int queueSize, int maxDelayMs, boolean formatOnWriter, Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("text");
        console.setEncoder(encoder);
        console.start();
        BatchingConsoleAppender appender = new BatchingConsoleAppender();
        appender.setContext(context);
        appender.setName("access");
        appender.setQueueSize(queueSize);
        appender.setMaxDelayMs(maxDelayMs);
        appender.setFormatOnWriter(formatOnWriter);
        appender.addAppender(console);
        appender.setTarget(out);
        appender.start();
        assertThat(appender.isStarted()).isTrue();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(appender);
    }

    /** An argument whose text is the name of the thread that formats it. */
    private static final class FormattedBy {
        @Override
        public String toString() {
            return Thread.currentThread().getName();
        }
    }

    /** Counts write calls; can hold the first one until released. */
    private static final class CountingStream extends ByteArrayOutputStream {
        final AtomicInteger writes = new AtomicInteger();
        final CountDownLatch firstWriteStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean blockFirstWrite;

        @Override
        public void write(byte[] b, int off, int len) {
            if (writes.incrementAndGet() == 1 && blockFirstWrite) {
                firstWriteStarted.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            super.write(b, off, len);
        }

        synchronized String text() {
            return toString(StandardCharsets.UTF_8);
        }
    }
}
