package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The acceptance: clients under constant load through the switch while the primary moves.
 * Two {@link FakeNode}s on loopback play the nodes (epoch check, write gate, shared replicated key
 * store); the moves are the znode writes nodes make, on a real ZooKeeper.
 */
class FailoverIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int CLIENTS = 4;

    private final FakeNode.Store store = new FakeNode.Store();
    private ClusterFixture cluster;
    private FakeNode a;
    private FakeNode b;
    private SwitchServer server;
    /** A second switch on the same cluster, when a test starts one: odd-numbered clients use it. */
    private SwitchServer second;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Queue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger answered = new AtomicInteger();
    private final List<Thread> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new ClusterFixture();
        a = new FakeNode("a", store);
        b = new FakeNode("b", store);
        a.promote(1);
        cluster.promote("a", a.url(), 1);
        cluster.register("b", b.url(), Role.SECONDARY, 1);
        server = cluster.startSwitch(Map.of("switch.holdTimeoutMs", "20000"));
        await().atMost(WAIT).until(() -> "a".equals(server.status().route().nodeId()));
    }

    @AfterEach
    void stop() throws Exception {
        stop.set(true);
        for (Thread client : clients) {
            client.join(WAIT.toMillis());
        }
        server.close();
        if (second != null) {
            second.close();
        }
        a.close();
        b.close();
        cluster.close();
    }

    private void startClients(RequestMaker maker) {
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            Thread thread = new Thread(() -> run(client, maker), "client-" + c);
            clients.add(thread);
            thread.start();
        }
    }

    private interface RequestMaker {
        HttpRequest make(URI base, int client, int n);
    }

    /** One kept-alive connection per client, one request after the other, every failure recorded. */
    private void run(int client, RequestMaker maker) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        SwitchServer via = second != null && client % 2 == 1 ? second : server;
        URI base = URI.create("http://127.0.0.1:" + via.port());
        for (int n = 0; !stop.get(); n++) {
            HttpRequest request = maker.make(base, client, n);
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    errors.add(request.method() + " " + request.uri().getPath() + " -> " + response.statusCode() + " "
                            + response.body());
                } else {
                    onAnswer(request, response);
                }
                answered.incrementAndGet();
                answeredBy.computeIfAbsent(via.port(), port -> new AtomicInteger()).incrementAndGet();
                outcomes.put(request.uri().getPath(), response.statusCode() + " " + response.headers().map());
            } catch (Exception e) {
                errors.add(request.method() + " " + request.uri().getPath() + " -> " + e);
            }
        }
    }

    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final Map<String, String> outcomes = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> answeredBy = new ConcurrentHashMap<>();
    private final AtomicInteger replayed = new AtomicInteger();
    private final AtomicReference<String> lastNode = new AtomicReference<>();

    private void onAnswer(HttpRequest request, HttpResponse<String> response) {
        lastNode.set(response.headers().firstValue("X-Understudy-Node").orElse("?"));
        if (!request.method().equals("GET")) {
            acked.add(request.uri().getPath());
        }
        if (response.headers().firstValue("Idempotency-Replayed").isPresent()) {
            replayed.incrementAndGet();
        }
    }

    private void awaitMoreAnswers(int more) {
        int target = answered.get() + more;
        await().atMost(WAIT).until(() -> answered.get() >= target || !errors.isEmpty());
    }

    /** Switches keep no state of their own: two of them, each with its own clients, follow one switchover. */
    @Test
    void shouldHidePlannedSwitchoverFromKeptAliveClientsOfTwoSwitches() throws Exception {
        second = cluster.startSwitch(Map.of("switch.holdTimeoutMs", "20000"));
        await().atMost(WAIT).until(() -> "a".equals(second.status().route().nodeId()));
        startClients((base, client, n) -> {
            String path = "/api/objects/c" + client + "-" + n;
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(WAIT);
            return switch (n % 3) {
                case 0 -> request.GET().build();
                case 1 -> request.PUT(HttpRequest.BodyPublishers.ofString("{\"n\":" + n + "}")).build();
                default -> request.POST(HttpRequest.BodyPublishers.ofString("{\"unkeyed\":" + n + "}")).build();
            };
        });
        awaitMoreAnswers(300);
        int servedByA = a.served();

        // what a switchover looks like from outside: the old primary closes its gate and says DEMOTED,
        // then the new one opens its gate in epoch 2 and takes /primary
        a.demote();
        cluster.register("a", a.url(), Role.DEMOTED, 1);
        b.promote(2);
        cluster.promote("b", b.url(), 2);
        await().atMost(WAIT).until(() -> b.served() >= 300 || !errors.isEmpty());
        stop.set(true);
        for (Thread client : clients) {
            client.join(WAIT.toMillis());
        }

        assertThat(errors).as("client-visible errors").isEmpty();
        assertThat(servedByA).isPositive();
        assertThat(lastNode.get()).isEqualTo("b");
        assertThat(List.of(server, second)).allSatisfy(each -> {
            assertThat(each.status().route().nodeId()).isEqualTo("b");
            assertThat(each.status().route().epoch()).isEqualTo(2);
        });
        assertThat(answeredBy).containsOnlyKeys(server.port(), second.port())
                .allSatisfy((port, count) -> assertThat(count.get()).as("answers through :" + port).isGreaterThan(100));
        assertThat(store.executions).allSatisfy((path, times) -> assertThat(times.get()).as(path).isEqualTo(1));
    }

    /**
     * The primary shuts its write gate for a moment and opens it again in the same epoch (its
     * ZooKeeper client reconnecting after a ZooKeeper server died): nothing changes the route, so
     * the refused writes must be tried at the same primary again, not wait out the hold and fail.
     */
    @Test
    void shouldRetryThePrimaryWhoseGateReopensInTheSameEpoch() throws Exception {
        server.close();
        server = cluster.startSwitch(Map.of("switch.holdTimeoutMs", "3000"));
        await().atMost(WAIT).until(() -> "a".equals(server.status().route().nodeId()));
        startClients((base, client, n) -> HttpRequest.newBuilder(base.resolve("/api/objects/g" + client + "-" + n))
                .timeout(WAIT).PUT(HttpRequest.BodyPublishers.ofString("{\"n\":" + n + "}")).build());
        awaitMoreAnswers(100);
        for (int blip = 0; blip < 3; blip++) {
            a.demote();
            await().atMost(WAIT).until(() -> server.status().route().heldRequests() > 0 || !errors.isEmpty());
            a.promote(1);
            awaitMoreAnswers(100);
        }
        stop.set(true);
        for (Thread client : clients) {
            client.join(WAIT.toMillis());
        }

        assertThat(errors).as("client-visible errors").isEmpty();
        assertThat(lastNode.get()).isEqualTo("a");
        assertThat(b.served()).isZero();
    }

    @Test
    void shouldLoseAndDuplicateNothingForKeyedWritesWhenThePrimaryDies() throws Exception {
        startClients((base, client, n) -> {
            String id = "c" + client + "-" + n;
            return HttpRequest.newBuilder(base.resolve("/api/events/" + id)).timeout(WAIT)
                    .header("Idempotency-Key", id)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"" + id + "\"}")).build();
        });
        awaitMoreAnswers(200);

        // kill -9 with a write in flight: it is executed, never answered, and the port closes;
        // then the node's session expires and the secondary promotes
        a.crashOnNextWrite();
        await().atMost(WAIT).until(a::crashed);
        awaitHeld();
        cluster.unregister("a");
        b.promote(2);
        cluster.promote("b", b.url(), 2);
        await().atMost(WAIT).until(() -> b.served() >= 200 || !errors.isEmpty());
        stop.set(true);
        for (Thread client : clients) {
            client.join(WAIT.toMillis());
        }

        assertThat(errors).as("client-visible errors").isEmpty();
        assertThat(replayed.get()).as("writes answered from the replicated key store after the crash").isPositive();
        assertThat(store.executions.keySet()).as("executed writes = acknowledged writes " + outcomes).isEqualTo(acked);
        assertThat(store.executions).allSatisfy((path, times) -> assertThat(times.get()).as(path).isEqualTo(1));
    }

    /** The crashed node stopped answering: requests pile up in the hold queue. */
    private void awaitHeld() {
        await().atMost(WAIT).until(() -> server.status().route().heldRequests() > 0 || !errors.isEmpty());
    }
}
