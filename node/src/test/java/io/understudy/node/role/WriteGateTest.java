package io.understudy.node.role;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WriteGateTest {

    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final WriteGate gate = new WriteGate(4000, now::get);

    @Test
    void shouldStartClosed() {
        assertThat(gate.admit()).isEqualTo(new WriteGate.Verdict.Closed("not primary"));
    }

    @Test
    void shouldAdmitInItsEpochWhileLeaseIsFresh() {
        gate.open(3, now.get());
        now.addAndGet(3999 * MS);
        assertThat(gate.admit()).isEqualTo(new WriteGate.Verdict.Open(3));
        assertThat(gate.stillOpen(3)).isTrue();
        assertThat(gate.stillOpen(2)).isFalse();
    }

    @Test
    void shouldRefuseAfterThePauseOutlivedTheLeaseEvenThoughNobodyClosedIt() {
        gate.open(3, now.get());
        now.addAndGet(4000 * MS);
        assertThat(gate.admit()).isInstanceOfSatisfying(WriteGate.Verdict.Closed.class,
                c -> assertThat(c.reason()).startsWith("ZooKeeper lease expired"));
    }

    @Test
    void shouldExtendLeaseOnlyForward() {
        long opened = now.get();
        gate.open(1, opened);
        gate.renewLease(opened + 3000 * MS);
        gate.renewLease(opened + 1000 * MS);
        now.set(opened + 6999 * MS);
        assertThat(gate.admit()).isEqualTo(new WriteGate.Verdict.Open(1));
    }

    @Test
    void shouldStayClosedWithReasonAfterClose() {
        gate.open(1, now.get());
        gate.close("lost ZooKeeper connection");
        gate.renewLease(now.get());
        assertThat(gate.admit()).isEqualTo(new WriteGate.Verdict.Closed("lost ZooKeeper connection"));
    }

    @Test
    void shouldLetARequestForTheEpochItIsOpeningWaitUntilItOpens() {
        gate.opening(4);
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> gate.awaitOpen(4, Duration.ofMinutes(1)));
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> !waited.isDone());

        gate.open(4, now.get());

        assertThat(waited.join()).isTrue();
        assertThat(gate.admit()).isEqualTo(new WriteGate.Verdict.Open(4));
    }

    @Test
    void shouldReleaseWaitersUnservedWhenThePromotionFails() {
        gate.opening(4);
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> gate.awaitOpen(4, Duration.ofMinutes(1)));
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> !waited.isDone());

        gate.close("promotion to epoch 4 failed");

        assertThat(waited.join()).isFalse();
        assertThat(gate.admit()).isEqualTo(new WriteGate.Verdict.Closed("promotion to epoch 4 failed"));
        assertThat(gate.awaitOpen(4, Duration.ofMinutes(1))).as("no longer opening: no wait").isFalse();
    }

    @Test
    void shouldNotWaitForAnEpochItIsNotOpening() {
        gate.opening(4);
        assertThat(gate.awaitOpen(5, Duration.ofMinutes(1))).isFalse();
        gate.open(4, now.get());
        assertThat(gate.awaitOpen(4, Duration.ofMinutes(1))).isTrue();
        assertThat(gate.awaitOpen(3, Duration.ofMinutes(1))).isFalse();
    }

    @Test
    void shouldGiveUpWaitingAfterItsPatience() {
        gate.opening(4);
        assertThat(gate.awaitOpen(4, Duration.ofMillis(20))).isFalse();
        assertThat(gate.admit()).isInstanceOf(WriteGate.Verdict.Closed.class);
    }
}
