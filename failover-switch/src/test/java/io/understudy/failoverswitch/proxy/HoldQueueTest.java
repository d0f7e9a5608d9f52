package io.understudy.failoverswitch.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.failoverswitch.routing.RouteDecision.Route;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hold queue on a virtual clock: one "IO thread" whose queued tasks and timers run only when
 * the test says so, so every deadline and back-off is exact and nothing sleeps.
 */
class HoldQueueTest {

    private static final long HOLD_MS = 5000;

    private final Clock clock = new Clock();
    private final List<String> ended = new ArrayList<>();
    /** Names of resumed requests, in the order the IO thread resumed them. */
    private final List<String> resumed = new ArrayList<>();
    private final Backend a1 = backend("a", 1);
    private final Backend b2 = backend("b", 2);
    private Backend routed;
    private HoldQueue queue = queue(10);

    @Test
    void shouldResumeAHeldRequestTowardsTheBackendThatIsRouted() {
        Request request = new Request("r");
        queue.hold(request, null, false);
        assertThat(queue.size()).isEqualTo(1);

        route(b2);

        assertThat(request.events).containsExactly("resumed b@2");
        assertThat(ended).containsExactly("RELEASED");
        assertThat(queue.size()).isZero();
    }

    @Test
    void shouldGoOnAtOnceWhenTheRouteChangedBeforeTheRequestWasAdded() {
        routed = b2;
        Request request = new Request("r");

        queue.hold(request, a1, false);
        clock.runReady();

        assertThat(request.events).containsExactly("resumed b@2");
        assertThat(queue.size()).isZero();
    }

    @Test
    void shouldNeverResumeARequestTowardsTheBackendThatRefusedIt() {
        routed = a1;
        Request request = new Request("r");
        queue.hold(request, a1, false);

        assertThat(queue.release(a1)).as("released").isZero();
        clock.advanceMs(HOLD_MS - 1);
        assertThat(request.events).isEmpty();

        route(b2);
        assertThat(request.events).containsExactly("resumed b@2");
    }

    @Test
    void shouldCountWhatARouteChangeReleasesAndReleaseEachRequestOnce() {
        Request first = new Request("first");
        Request second = new Request("second");
        queue.hold(first, null, false);
        queue.hold(second, a1, false);

        assertThat(queue.release(a1)).as("all but the request a@1 refused").isEqualTo(1);
        assertThat(queue.release(b2)).as("the one left").isEqualTo(1);
        assertThat(queue.release(b2)).as("nothing twice").isZero();
        clock.runReady();

        assertThat(first.events).containsExactly("resumed a@1");
        assertThat(second.events).containsExactly("resumed b@2");
    }

    @Test
    void shouldResumeHeldRequestsInTheOrderTheyCame() {
        // the first held has the least hold time left, and a client's requests keep their order
        for (String name : List.of("1", "2", "3", "4")) {
            queue.hold(new Request(name), null, false);
        }

        route(b2);

        assertThat(resumed).containsExactly("1", "2", "3", "4");
    }

    @Test
    void shouldAnswer503WhenTheHoldTimeRunsOut() {
        Request request = new Request("r");
        queue.hold(request, null, false);

        clock.advanceMs(HOLD_MS - 1);
        assertThat(request.events).isEmpty();
        clock.advanceMs(1);

        assertThat(request.events).containsExactly("refused no primary took the request within 5000 ms (no primary yet)");
        assertThat(ended).containsExactly("TIMED_OUT");
        assertThat(queue.size()).isZero();
        route(b2);
        assertThat(request.events).hasSize(1);
    }

    @Test
    void shouldNotAnswerARequestWhoseClientIsGoneWhenItsHoldTimeRunsOut() {
        Request request = new Request("r");
        queue.hold(request, null, false);
        // gone before the hang-up reached the queue: the timer finds it first
        request.connected = false;

        clock.advanceMs(HOLD_MS);

        assertThat(request.events).isEmpty();
        assertThat(ended).containsExactly("TIMED_OUT");
        assertThat(queue.size()).isZero();
    }

    @Test
    void shouldKeepTheFirstDeadlineWhenARequestIsHeldAgain() {
        Request request = new Request("r");
        queue.hold(request, null, false);
        clock.advanceMs(3000);
        route(b2);
        // the new primary refused it too: it waits for the 2 s it has left, not 5 s more
        queue.hold(request, b2, false);

        clock.advanceMs(1999);
        assertThat(request.events).containsExactly("resumed b@2");
        clock.advanceMs(1);

        assertThat(request.events).containsExactly("resumed b@2",
                "refused no primary took the request within 5000 ms (primary b@2 did not take the request)");
    }

    @Test
    void shouldAnswerAtOnceARequestWhoseHoldTimeIsAlreadyUsedUp() {
        Request request = new Request("r");
        queue.hold(request, null, false);
        clock.advanceMs(HOLD_MS - 1);
        route(a1);
        clock.advanceMs(1);

        queue.hold(request, a1, true);

        assertThat(request.events).containsExactly("resumed a@1",
                "refused no primary took the request within 5000 ms (primary a@1 did not take the request)");
        assertThat(ended).containsExactly("RELEASED", "TIMED_OUT");
        assertThat(queue.size()).isZero();
    }

    @Test
    void shouldFreeThePlaceOfAClientThatHangsUpWhileHeld() {
        queue = queue(1);
        Request gone = new Request("gone");
        queue.hold(gone, null, false);

        gone.hangUp();

        assertThat(queue.size()).isZero();
        assertThat(ended).containsExactly("CLIENT_GONE");
        // its place is free for another request, and nothing is ever sent or answered for it
        Request next = new Request("next");
        queue.hold(next, null, false);
        route(b2);
        clock.advanceMs(HOLD_MS);
        assertThat(gone.events).isEmpty();
        assertThat(next.events).containsExactly("resumed b@2");
        assertThat(ended).containsExactly("CLIENT_GONE", "RELEASED");
    }

    @Test
    void shouldIgnoreAHangUpAfterTheWaitEnded() {
        Request request = new Request("r");
        queue.hold(request, null, false);
        route(b2);

        request.hangUp();

        assertThat(ended).containsExactly("RELEASED");
        assertThat(queue.size()).isZero();
    }

    @Test
    void shouldAnswerEveryHeldRequestWhenTheSwitchShutsDown() {
        Request first = new Request("first");
        Request second = new Request("second");
        queue.hold(first, null, false);
        routed = a1;
        queue.hold(second, a1, true);

        queue.close();
        clock.runReady();

        assertThat(first.events).containsExactly("refused the switch is shutting down");
        assertThat(second.events).containsExactly("refused the switch is shutting down");
        assertThat(ended).containsExactly("SHUTDOWN", "SHUTDOWN");
        assertThat(queue.size()).isZero();
        // nothing resumes them afterwards, and nothing new is held
        route(b2);
        clock.advanceMs(HOLD_MS);
        Request late = new Request("late");
        queue.hold(late, null, false);
        assertThat(first.events).hasSize(1);
        assertThat(second.events).hasSize(1);
        assertThat(late.events).containsExactly("refused the switch is shutting down");
        assertThat(queue.size()).isZero();
    }

    @Test
    void shouldAnswerAtOnceWhenTheQueueIsFull() {
        queue = queue(2);
        queue.hold(new Request("1"), null, false);
        queue.hold(new Request("2"), null, false);
        Request third = new Request("3");

        queue.hold(third, null, false);

        assertThat(third.events).containsExactly("refused no primary takes requests now (no primary yet) and 2 requests "
                + "are already waiting for one");
        assertThat(ended).containsExactly("REJECTED");
        assertThat(queue.size()).isEqualTo(2);
    }

    @Test
    void shouldOfferARefusedRequestToTheSamePrimaryAgainAfterADoublingBackOff() {
        routed = a1;
        Request request = new Request("r");
        List<Long> waitedMs = new ArrayList<>();
        for (int refusal = 0; refusal < 5; refusal++) {
            long since = clock.nowNanos;
            queue.hold(request, a1, true);
            while (request.events.size() == refusal) {
                clock.advanceMs(1);
            }
            waitedMs.add(TimeUnit.NANOSECONDS.toMillis(clock.nowNanos - since));
        }

        assertThat(waitedMs).containsExactly(50L, 100L, 200L, 400L, 400L);
        assertThat(request.events).containsOnly("resumed a@1");
    }

    @Test
    void shouldNotOfferARequestToTheSamePrimaryWithoutRetrySame() {
        routed = a1;
        Request request = new Request("r");
        queue.hold(request, a1, false);

        clock.advanceMs(HOLD_MS - 1);

        assertThat(request.events).isEmpty();
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    void shouldLeaveAnUnroutedRequestHeldWhenItsBackOffRunsOut() {
        routed = a1;
        Request request = new Request("r");
        queue.hold(request, a1, true);
        routed = null;

        clock.advanceMs(60);
        assertThat(request.events).isEmpty();
        route(b2);

        assertThat(request.events).containsExactly("resumed b@2");
    }

    @Test
    void shouldGiveRefusedRequestsBackToAPrimaryWhoseHandOverDidNotHappen() {
        routed = a1;
        Request refused = new Request("refused");
        Request waiting = new Request("waiting");
        queue.hold(refused, a1, false);
        queue.hold(waiting, null, false);
        clock.runReady();
        assertThat(waiting.events).containsExactly("resumed a@1");

        queue.reoffer(a1);
        clock.runReady();

        assertThat(refused.events).containsExactly("resumed a@1");
        assertThat(queue.size()).isZero();
    }

    @Test
    void shouldNotResumeARequestWhoseClientIsGoneByTheTimeItRuns() {
        Request request = new Request("r");
        queue.hold(request, null, false);
        queue.release(b2);
        request.connected = false;

        clock.runReady();

        assertThat(request.events).isEmpty();
        assertThat(queue.size()).isZero();
    }

    @ParameterizedTest(name = "hold {0} ms, back-off after {1} refusals -> {2}")
    @CsvSource({
            // the back-off is only armed while it ends before the request's deadline
            "5000, 0, 50",
            "5000, 3, 400",
            "60,   0, 50",
            "40,   0, -1",
    })
    void shouldArmTheBackOffOnlyWithinTheHoldTime(long holdMs, int earlierRefusals, long expectedMs) {
        queue = new HoldQueue(new HoldQueue.Bounds(holdMs, 10), () -> routed, () -> "no primary yet",
                (outcome, nanos) -> ended.add(outcome.name()), () -> clock.nowNanos);
        routed = a1;
        Request request = new Request("r");
        for (int i = 0; i < earlierRefusals; i++) {
            queue.hold(request, a1, true);
            queue.reoffer(a1);
            clock.runReady();
        }
        long since = clock.nowNanos;
        queue.hold(request, a1, true);
        int before = request.events.size();
        while (request.events.size() == before && clock.nowNanos - since < TimeUnit.MILLISECONDS.toNanos(holdMs)) {
            clock.advanceMs(1);
        }
        long waited = TimeUnit.NANOSECONDS.toMillis(clock.nowNanos - since);
        boolean resumed = request.events.get(request.events.size() - 1).equals("resumed a@1");

        assertThat(resumed ? waited : -1).isEqualTo(expectedMs);
    }

    private HoldQueue queue(int maxHeld) {
        return new HoldQueue(new HoldQueue.Bounds(HOLD_MS, maxHeld), () -> routed, () -> "no primary yet",
                (outcome, nanos) -> ended.add(outcome.name()), () -> clock.nowNanos);
    }

    /** Routes {@code backend} the way {@code PrimaryRouter} does, and lets the IO thread run. */
    private void route(Backend backend) {
        routed = backend;
        queue.release(backend);
        clock.runReady();
    }

    private static Backend backend(String node, long epoch) {
        return new Backend(new Route(node, URI.create("http://127.0.0.1:1"), epoch, "test"), 1);
    }

    /** One held request; records what the queue did with it. */
    private final class Request extends HoldQueue.Waiter {
        final String name;
        final List<String> events = new ArrayList<>();
        boolean connected = true;
        HoldQueue watchedBy;

        Request(String name) {
            this.name = name;
        }

        void hangUp() {
            connected = false;
            if (watchedBy != null) {
                watchedBy.clientGone(this);
            }
        }

        @Override
        protected void execute(Runnable task) {
            clock.ready.add(task);
        }

        @Override
        protected HoldQueue.Timer schedule(Runnable task, long delayMs) {
            Clock.Due due = new Clock.Due(clock.nowNanos + TimeUnit.MILLISECONDS.toNanos(delayMs), task);
            clock.timers.add(due);
            return () -> clock.timers.remove(due);
        }

        @Override
        protected boolean clientConnected() {
            return connected;
        }

        @Override
        protected void resume(Backend backend) {
            events.add("resumed " + backend.label());
            resumed.add(name);
        }

        @Override
        protected void refuse(String message) {
            events.add("refused " + message);
        }

        @Override
        protected void watchClient(HoldQueue queue) {
            watchedBy = queue;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Virtual time and the tasks of one IO thread. */
    private static final class Clock {
        record Due(long atNanos, Runnable task) {
        }

        long nowNanos = 1_000_000_000L;
        final Deque<Runnable> ready = new ArrayDeque<>();
        final List<Due> timers = new ArrayList<>();

        void advanceMs(long ms) {
            long until = nowNanos + TimeUnit.MILLISECONDS.toNanos(ms);
            while (true) {
                runReady();
                Due next = timers.stream().filter(d -> d.atNanos() <= until)
                        .min((x, y) -> Long.compare(x.atNanos(), y.atNanos())).orElse(null);
                if (next == null) {
                    break;
                }
                timers.remove(next);
                nowNanos = Math.max(nowNanos, next.atNanos());
                next.task().run();
            }
            nowNanos = until;
            runReady();
        }

        void runReady() {
            for (Runnable task = ready.poll(); task != null; task = ready.poll()) {
                task.run();
            }
        }
    }
}
