package io.debezium.connector.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.debezium.pipeline.Sizeable;
import io.debezium.util.LoggingContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The replicator's own {@link ChangeEventQueue} (it replaces Debezium's, see its Javadoc): hands over what is queued
 * at once, waits only while nothing is, and keeps the rest of the contract of Debezium's copy (batch limit, the
 * held-back last event of a snapshot, a bounded queue, the producer's failure, the size in bytes).
 */
class ChangeEventQueueTest {

    /** Long enough that a poll waiting it out would fail the test's time limit. */
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private record Event(String name, long objectSize) implements Sizeable {
        Event(String name) {
            this(name, 100);
        }
    }

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private static ChangeEventQueue.Builder<Event> queue(Duration pollInterval, int maxBatchSize, int maxQueueSize) {
        return new ChangeEventQueue.Builder<Event>().pollInterval(pollInterval).maxBatchSize(maxBatchSize).maxQueueSize(maxQueueSize)
                .loggingContextSupplier(() -> LoggingContext.forConnector("test", "test", "queue"));
    }

    @Test
    void handsOverWhatIsQueuedWithoutWaitingForAFullBatch() throws Exception {
        ChangeEventQueue<Event> queue = queue(LONG, 100, 1000).build();
        queue.enqueue(new Event("a"));
        queue.enqueue(new Event("b"));

        List<Event> batch = assertTimeoutPreemptively(LIMIT, queue::poll);

        assertThat(batch).extracting(Event::name).containsExactly("a", "b");
    }

    @Test
    void aWaitingPollReturnsTheFirstEventThatArrives() throws Exception {
        ChangeEventQueue<Event> queue = queue(LONG, 100, 1000).build();
        Thread[] consumer = new Thread[1];
        Future<List<Event>> polled = threads.submit(() -> {
            consumer[0] = Thread.currentThread();
            return queue.poll();
        });
        await().atMost(LIMIT).until(() -> consumer[0] != null && consumer[0].getState() == Thread.State.TIMED_WAITING);

        queue.enqueue(new Event("a"));

        assertThat(polled.get(LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).extracting(Event::name).containsExactly("a");
    }

    @Test
    void anEmptyQueueGivesControlBackAfterThePollInterval() throws Exception {
        ChangeEventQueue<Event> queue = queue(Duration.ofMillis(20), 100, 1000).build();

        assertThat(assertTimeoutPreemptively(LIMIT, queue::poll)).isEmpty();
    }

    @Test
    void aBatchHoldsAtMostMaxBatchSizeEventsInQueueOrder() throws Exception {
        ChangeEventQueue<Event> queue = queue(LONG, 2, 1000).build();
        for (String name : List.of("a", "b", "c", "d", "e")) {
            queue.enqueue(new Event(name));
        }

        assertThat(queue.poll()).extracting(Event::name).containsExactly("a", "b");
        assertThat(queue.poll()).extracting(Event::name).containsExactly("c", "d");
        assertThat(queue.poll()).extracting(Event::name).containsExactly("e");
    }

    @Test
    void bufferingHoldsTheLastEventBackUntilItIsFlushedAsTheLast() throws Exception {
        ChangeEventQueue<Event> queue = queue(Duration.ofMillis(20), 100, 1000).buffering().build();
        queue.enqueue(new Event("a"));
        queue.enqueue(new Event("b"));

        assertThat(queue.poll()).extracting(Event::name).containsExactly("a");
        queue.flushBuffer(last -> new Event(last.name() + " (last)"));
        queue.disableBuffering();
        queue.enqueue(new Event("c"));

        assertThat(queue.poll()).extracting(Event::name).containsExactly("b (last)", "c");
        assertThat(queue.isBuffered()).isFalse();
    }

    @Test
    void aFullQueueBlocksTheProducerUntilAPollMakesRoom() throws Exception {
        ChangeEventQueue<Event> queue = queue(Duration.ofMillis(20), 100, 2).build();
        queue.enqueue(new Event("a"));
        queue.enqueue(new Event("b"));
        Thread[] producer = new Thread[1];
        CompletableFuture<Void> third = CompletableFuture.runAsync(() -> {
            producer[0] = Thread.currentThread();
            try {
                queue.enqueue(new Event("c"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threads);
        await().atMost(LIMIT).until(() -> producer[0] != null && producer[0].getState() == Thread.State.TIMED_WAITING);
        assertThat(queue.remainingCapacity()).isZero();
        assertThat(third).isNotDone();

        assertThat(queue.poll()).extracting(Event::name).containsExactly("a", "b");
        third.get(LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(queue.poll()).extracting(Event::name).containsExactly("c");
    }

    @Test
    void aQueueBoundedInBytesCountsWhatItHolds() throws Exception {
        ChangeEventQueue<Event> queue = queue(Duration.ofMillis(20), 100, 1000).maxQueueSizeInBytes(1000).build();
        queue.enqueue(new Event("a", 300));
        queue.enqueue(new Event("b", 200));
        assertThat(queue.currentQueueSizeInBytes()).isEqualTo(500);
        assertThat(queue.maxQueueSizeInBytes()).isEqualTo(1000);

        queue.poll();

        assertThat(queue.currentQueueSizeInBytes()).isZero();
        assertThat(queue.totalCapacity()).isEqualTo(1000);
    }

    @Test
    void thePollAfterTheProducerFailedThrowsItsError() {
        ChangeEventQueue<Event> queue = queue(LONG, 100, 1000).build();
        queue.producerException(new IllegalStateException("connection lost"));

        assertThatThrownBy(queue::poll).isInstanceOf(IllegalStateException.class).hasMessage("connection lost");
    }
}
