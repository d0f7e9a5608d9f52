package io.debezium.connector.base;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.config.ConfigurationDefaults;
import io.debezium.pipeline.Sizeable;
import io.debezium.time.Temporals;
import io.debezium.util.LoggingContext;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Understudy's replacement of Debezium 3.6.1's class of this name: the hand-over between the connector's decoding
 * thread (the producer) and the engine's polling thread (the consumer). Same builder, methods and metrics; one
 * difference, in {@link #poll()}.
 *
 * <p>Debezium's copy returns only once a whole batch ({@code max.batch.size}) is queued or the poll interval has run
 * out, so every change waits up to one poll interval in the queue even when the engine is idle. And it computes the
 * time left in whole milliseconds: in the last millisecond of each interval it loops without waiting, holding the
 * lock the producer needs. Measured on an idle secondary with a 5 ms interval, that loop took 13 % of a core, and it
 * made a shorter interval (lower latency) cost more still.
 *
 * <p>Here {@link #poll()} waits (to the nanosecond) only while the queue is empty, and returns what is queued as soon
 * as there is anything, up to a batch. Batches still grow under load: the engine applies one batch while the next
 * queues. {@code DebeziumClassReplacementTest} fails once Debezium is upgraded, so that the replacement is compared
 * with the new class.
 *
 * @param <T> the queued events
 */
public class ChangeEventQueue<T extends Sizeable> implements ChangeEventQueueMetrics {

    private static final Logger LOGGER = LoggerFactory.getLogger(ChangeEventQueue.class);

    private final Duration pollInterval;
    private final int maxBatchSize;
    private final int maxQueueSize;
    private final long maxQueueSizeInBytes;
    private final Lock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final QueueProvider<T> queue;
    private final Supplier<LoggingContext.PreviousContext> loggingContextSupplier;
    /** The size of each queued event, in queue order, when the queue is bounded in bytes. */
    private final Queue<Long> sizes = new ArrayDeque<>();
    private long currentQueueSizeInBytes;
    private boolean buffering;
    /** While buffering (snapshots), the last event is held back so that it can be marked as the last one. */
    private final AtomicReference<T> bufferedEvent = new AtomicReference<>();
    private volatile RuntimeException producerException;

    private ChangeEventQueue(Duration pollInterval, int maxQueueSize, int maxBatchSize,
                             Supplier<LoggingContext.PreviousContext> loggingContextSupplier, long maxQueueSizeInBytes,
                             boolean buffering, QueueProvider<T> queue) {
        this.pollInterval = pollInterval;
        this.maxBatchSize = maxBatchSize;
        this.maxQueueSize = maxQueueSize;
        this.loggingContextSupplier = loggingContextSupplier;
        this.maxQueueSizeInBytes = maxQueueSizeInBytes;
        this.buffering = buffering;
        this.queue = queue;
    }

    public static class Builder<T extends Sizeable> {

        private Duration pollInterval;
        private int maxQueueSize;
        private int maxBatchSize;
        private Supplier<LoggingContext.PreviousContext> loggingContextSupplier;
        private long maxQueueSizeInBytes;
        private boolean buffering;
        private QueueProvider<T> queueProvider;

        public Builder<T> pollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
            return this;
        }

        public Builder<T> maxQueueSize(int maxQueueSize) {
            this.maxQueueSize = maxQueueSize;
            return this;
        }

        public Builder<T> maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        public Builder<T> loggingContextSupplier(Supplier<LoggingContext.PreviousContext> loggingContextSupplier) {
            this.loggingContextSupplier = loggingContextSupplier;
            return this;
        }

        public Builder<T> maxQueueSizeInBytes(long maxQueueSizeInBytes) {
            this.maxQueueSizeInBytes = maxQueueSizeInBytes;
            return this;
        }

        public Builder<T> queueProvider(QueueProvider<T> queueProvider) {
            this.queueProvider = queueProvider;
            return this;
        }

        public Builder<T> buffering() {
            this.buffering = true;
            return this;
        }

        public ChangeEventQueue<T> build() {
            if (queueProvider == null) {
                DefaultQueueProvider<T> provider = new DefaultQueueProvider<>();
                provider.configure(Map.of(CommonConnectorConfig.MAX_QUEUE_SIZE.name(), String.valueOf(maxQueueSize)));
                queueProvider = provider;
            }
            return new ChangeEventQueue<>(pollInterval, maxQueueSize, maxBatchSize, loggingContextSupplier, maxQueueSizeInBytes,
                    buffering, queueProvider);
        }
    }

    /** Queues an event; while buffering, the event queued is the one before it. Blocks while the queue is full. */
    public void enqueue(T event) throws InterruptedException {
        if (event == null) {
            return;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (buffering) {
            T previous = bufferedEvent.getAndSet(event);
            if (previous == null) {
                return;
            }
            event = previous;
        }
        doEnqueue(event);
    }

    /** Queues the held-back event, changed by {@code adjust} (the snapshot marks it as its last). */
    public void flushBuffer(Function<T, T> adjust) throws InterruptedException {
        assert buffering : "Unsupported for queues with disabled buffering";
        T event = bufferedEvent.getAndSet(null);
        if (event != null) {
            doEnqueue(adjust.apply(event));
        }
    }

    public void disableBuffering() {
        assert bufferedEvent.get() == null : "Buffer must be flushed";
        buffering = false;
    }

    public void enableBuffering() {
        buffering = true;
    }

    protected void doEnqueue(T event) throws InterruptedException {
        lock.lock();
        try {
            while (full()) {
                notEmpty.signalAll(); // the consumer may be waiting with a full queue in bytes but no batch yet
                notFull.awaitNanos(pollInterval.toNanos());
            }
            queue.enqueue(event);
            if (maxQueueSizeInBytes > 0) {
                long size = event.objectSize();
                sizes.add(size);
                currentQueueSizeInBytes += size;
            }
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean full() {
        return queue.size() >= maxQueueSize || (maxQueueSizeInBytes > 0 && currentQueueSizeInBytes >= maxQueueSizeInBytes);
    }

    /**
     * What is queued, up to a batch; waits only while nothing is, and at most the poll interval (then returns an empty
     * list, so the engine gets control back).
     */
    public List<T> poll() throws InterruptedException {
        LoggingContext.PreviousContext previousContext = loggingContextSupplier.get();
        try {
            long left = Temporals.min(pollInterval, ConfigurationDefaults.RETURN_CONTROL_INTERVAL).toNanos();
            lock.lock();
            try {
                throwProducerExceptionIfPresent();
                while (queue.size() == 0 && left > 0) {
                    left = notEmpty.awaitNanos(left);
                    throwProducerExceptionIfPresent();
                }
                List<T> records = new ArrayList<>(Math.min(maxBatchSize, queue.size()));
                while (records.size() < maxBatchSize && queue.size() > 0) {
                    records.add(queue.poll());
                    if (maxQueueSizeInBytes > 0) {
                        Long size = sizes.poll();
                        currentQueueSizeInBytes -= size == null ? 0 : size;
                    }
                }
                notFull.signalAll();
                return records;
            } finally {
                lock.unlock();
            }
        } finally {
            previousContext.restore();
        }
    }

    /** The producer failed: the next {@link #poll()} throws {@code exception}. */
    public void producerException(RuntimeException exception) {
        this.producerException = exception;
    }

    private void throwProducerExceptionIfPresent() {
        if (producerException != null) {
            throw producerException;
        }
    }

    @Override
    public int totalCapacity() {
        return maxQueueSize;
    }

    @Override
    public int remainingCapacity() {
        return maxQueueSize - queue.size();
    }

    @Override
    public long maxQueueSizeInBytes() {
        return maxQueueSizeInBytes;
    }

    @Override
    public long currentQueueSizeInBytes() {
        return currentQueueSizeInBytes;
    }

    public boolean isBuffered() {
        return buffering;
    }

    public void close() {
        try {
            queue.close();
        } catch (Exception e) {
            LOGGER.warn("Failed to close queue provider", e);
        }
    }
}
