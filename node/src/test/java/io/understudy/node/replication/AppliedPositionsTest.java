package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Waiting for secondaries' reports on real threads: who is woken by what. */
class AppliedPositionsTest {

    private static final String STREAM = "a@1";
    /** So long that in these tests only a report, a signal or a deadline can end a waiter's rest. */
    private static final long NO_RECHECK = TimeUnit.HOURS.toNanos(1);

    private final AppliedPositions positions = new AppliedPositions(System::nanoTime, NO_RECHECK);

    /** A waiter on its own thread, counting how often it looked at its condition. */
    private final class Waiting {
        final AtomicInteger looks = new AtomicInteger();
        final AtomicReference<Thread> thread = new AtomicReference<>();
        final CompletableFuture<Boolean> result;

        Waiting(long position, long deadlineNanos, BooleanSupplier keepWaiting) {
            BooleanSupplier reached = () -> {
                looks.incrementAndGet();
                return positions.positions().getOrDefault("b", -1L) >= position;
            };
            result = CompletableFuture.supplyAsync(() -> {
                thread.set(Thread.currentThread());
                try {
                    return positions.await(reached, position, deadlineNanos, keepWaiting);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> new Thread(runnable, "waiter-" + position).start());
        }

        Waiting(long position) {
            this(position, System.nanoTime() + TimeUnit.MINUTES.toNanos(1), () -> true);
        }

        void awaitResting() {
            await().atMost(Duration.ofSeconds(10)).until(() -> looks.get() >= 1 && thread.get() != null
                    && thread.get().getState() == Thread.State.TIMED_WAITING);
        }
    }

    @Test
    void shouldWakeOnlyTheWaitersAReportReaches() throws Exception {
        positions.serve(STREAM);
        Waiting at10 = new Waiting(10);
        Waiting at20 = new Waiting(20);
        Waiting at30 = new Waiting(30);
        at10.awaitResting();
        at20.awaitResting();
        at30.awaitResting();

        positions.report("b", STREAM, 10);

        assertThat(at10.result.get(10, TimeUnit.SECONDS)).isTrue();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .until(() -> at20.looks.get() == 1 && at30.looks.get() == 1);

        positions.report("b", STREAM, 25);

        assertThat(at20.result.get(10, TimeUnit.SECONDS)).isTrue();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> at30.looks.get() == 1);
        assertThat(at30.result).isNotDone();
    }

    @Test
    void shouldLetEveryWaiterLookAgainWhenSignalled() throws Exception {
        positions.serve(STREAM);
        Waiting at30 = new Waiting(30);
        at30.awaitResting();

        positions.signal();

        await().atMost(Duration.ofSeconds(10)).until(() -> at30.looks.get() >= 2);
        at30.awaitResting();
        positions.report("b", STREAM, 30);
        assertThat(at30.result.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shouldEndAtTheDeadlineWhenNoReportReachesThePosition() throws Exception {
        positions.serve(STREAM);
        Waiting at30 = new Waiting(30, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300), () -> true);
        at30.awaitResting();

        positions.report("b", STREAM, 29);

        assertThat(at30.result.get(10, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void shouldStopWaitingOnceKeepWaitingSaysNoAtTheNextLook() throws Exception {
        positions.serve(STREAM);
        AtomicBoolean primary = new AtomicBoolean(true);
        Waiting at30 = new Waiting(30, System.nanoTime() + TimeUnit.MINUTES.toNanos(1), primary::get);
        at30.awaitResting();

        primary.set(false);
        positions.signal();

        assertThat(at30.result.get(10, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void shouldIgnoreReportsOfAnotherStream() throws Exception {
        positions.serve(STREAM);
        Waiting at10 = new Waiting(10, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300), () -> true);
        at10.awaitResting();

        assertThat(positions.report("b", "a@0", 50)).isFalse();

        assertThat(at10.result.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(positions.positions()).isEmpty();
    }

    @Test
    void shouldAnswerAnInterruptedWaiterWithInterruptedException() {
        positions.serve(STREAM);
        Waiting at10 = new Waiting(10);
        at10.awaitResting();

        at10.thread.get().interrupt();

        assertThatThrownBy(() -> at10.result.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(InterruptedException.class);
    }
}
