package io.understudy.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApplySealTest {

    @Test
    void appliesUntilSealedThenRefusesWithoutRunningTheGroup() {
        ApplySeal seal = new ApplySeal();
        AtomicInteger applied = new AtomicInteger();

        assertThat(seal.apply(applied::incrementAndGet, -1)).isEqualTo(1);
        seal.seal();
        seal.seal(); // idempotent

        assertThat(seal.apply(applied::incrementAndGet, -1)).isEqualTo(-1);
        assertThat(applied).hasValue(1);
        assertThat(seal.isSealed()).isTrue();
    }

    @Test
    void sealingWaitsForTheGroupBeingAppliedToCommit() throws Exception {
        ApplySeal seal = new ApplySeal();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean committed = new AtomicBoolean();
        AtomicBoolean committedWhenSealed = new AtomicBoolean();
        Thread applier = new Thread(() -> seal.apply(() -> {
            inside.countDown();
            awaitQuietly(release);
            committed.set(true);
            return true;
        }, false));
        applier.start();
        inside.await();
        Thread sealer = new Thread(() -> {
            seal.seal();
            committedWhenSealed.set(committed.get());
        });
        sealer.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sealer.getState() == Thread.State.BLOCKED);

        release.countDown();
        sealer.join();
        applier.join();

        assertThat(committedWhenSealed).isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
