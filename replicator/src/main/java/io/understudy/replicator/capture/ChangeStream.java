package io.understudy.replicator.capture;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that drives a {@link DebeziumEngine}: typed Connect records ({@link SourceRecord}/Struct, better for
 * type fidelity than JSON) delivered in batches to a {@link DebeziumEngine.ChangeConsumer}.
 */
public final class ChangeStream {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeStream.class);

    /** Engine lifecycle callbacks, on engine threads. */
    public interface Callbacks {
        void taskStarted();

        void finished(boolean success, String message, Throwable error);
    }

    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final Object monitor = new Object();
    private boolean finished;

    public ChangeStream(Properties properties, DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> consumer, Callbacks callbacks) {
        this.engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(properties)
                .notifying(consumer)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        callbacks.taskStarted();
                    }
                })
                .using((success, message, error) -> {
                    synchronized (monitor) {
                        finished = true;
                        monitor.notifyAll();
                    }
                    callbacks.finished(success, message, error);
                })
                .build();
    }

    /** Runs the engine on the calling thread until it stops. */
    public void run() {
        engine.run();
    }

    /**
     * Asks the engine to stop. The engine refuses while its task is starting (it may be opening connections), so
     * this retries until it is accepted or {@code patience} runs out.
     */
    public void stop(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            synchronized (monitor) {
                if (finished) {
                    return;
                }
            }
            try {
                engine.close();
                return;
            } catch (IllegalStateException e) {
                String message = String.valueOf(e.getMessage());
                if (message.contains("already")) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    LOG.warn("engine did not accept stop within {}: {}", patience, message);
                    return;
                }
                synchronized (monitor) {
                    monitor.wait(50); // the engine is starting its task; try again shortly
                }
            } catch (IOException e) {
                LOG.warn("error while stopping the engine: {}", e.toString());
                return;
            }
        }
    }
}
