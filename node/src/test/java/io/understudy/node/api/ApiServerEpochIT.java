package io.understudy.node.api;

import static io.understudy.node.support.Http.get;
import static io.understudy.node.support.Http.put;
import static io.understudy.node.support.Http.putAsync;
import static io.understudy.node.support.Http.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.Headers;
import io.understudy.cluster.Role;
import io.understudy.node.rejoin.QuarantineStore;
import io.understudy.node.role.WriteGate;
import io.understudy.node.store.Database;
import io.understudy.node.support.Postgres;
import io.understudy.node.support.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secondary promoted to a new epoch, over real HTTP against a real PostgreSQL: the switch routes to it as soon as
 * {@code /primary} names it, so a request stamped for that epoch can arrive while the write gate is still opening.
 * It waits for the gate and is answered with the epoch it was served in, although the node's role still names the
 * epoch it followed until the promotion completes; a promotion that fails serves it nothing.
 */
class ApiServerEpochIT {

    /** The epoch this node followed as a secondary. */
    private static final long FOLLOWED = 7;
    /** The epoch its promotion is opening. */
    private static final long OPENING = 8;

    @TempDir
    static Path dir;
    static EmbeddedPostgres pg;
    static Database db;
    static ApiServer server;
    static String base;
    static final WriteGate gate = new WriteGate(60_000, System::nanoTime);

    @BeforeAll
    static void start() throws Exception {
        pg = Postgres.start();
        db = Database.open(Postgres.url(pg), "postgres", "", 4, "api-server-epoch-it");
        int port = TestNodes.freePort();
        NodeState promoting = Stubs.node("promoting", Role.SECONDARY, FOLLOWED);
        server = new ApiServer("127.0.0.1", port, db, gate, promoting, 65_536, 2_000_000, Stubs.async(),
                new QuarantineStore(dir.resolve("quarantine")), ApiToken.NONE);
        server.start();
        base = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (db != null) {
            db.close();
        }
        pg.close();
    }

    @BeforeEach
    void promotionStarts() {
        gate.close("a secondary (test)");
        gate.opening(OPENING);
    }

    @Test
    void shouldRehearseWritesFromSeveralThreadsAtOnceWithoutWritingAnythingEvenWithTheGateOpen() throws Exception {
        gate.open(OPENING, System.nanoTime());
        long[] before = rows();

        server.rehearseWrites();

        assertThat(rows()).as("objects and idempotency keys").containsExactly(before);
        for (int writer = 0; writer < ApiServer.REHEARSAL_WRITERS; writer++) {
            assertThat(get(base + "/api/objects/" + ApiWarmUp.OBJECT_ID + "-" + writer).statusCode()).isEqualTo(404);
        }
    }

    private static long[] rows() throws Exception {
        return db.inTransaction(c -> {
            try (var s = c.createStatement();
                 var r = s.executeQuery("SELECT (SELECT count(*) FROM objects), (SELECT count(*) FROM idempotency_keys)")) {
                r.next();
                return new long[] {r.getLong(1), r.getLong(2)};
            }
        });
    }

    @Test
    void shouldAnswerARequestThatWaitedForTheGateWithTheEpochThatServedIt() {
        CompletableFuture<HttpResponse<byte[]>> answer = putStamped("waited", OPENING);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(ApiServerEpochIT::aRequestWaitsAtTheGate);
        assertThat(answer).isNotDone();

        gate.open(OPENING, System.nanoTime());

        HttpResponse<byte[]> served = answer.join();
        assertThat(served.statusCode()).as(text(served)).isEqualTo(201);
        assertThat(served.headers().firstValue(Headers.SERVED_EPOCH))
                .as("served in the gate's epoch, while the role still names epoch %d", FOLLOWED)
                .contains(Long.toString(OPENING));
        assertThat(get(base + "/api/objects/waited").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldServeNothingToAWaitingRequestWhenThePromotionFails() {
        CompletableFuture<HttpResponse<byte[]>> answer = putStamped("failed-promotion", OPENING);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(ApiServerEpochIT::aRequestWaitsAtTheGate);

        gate.close("promotion failed");

        HttpResponse<byte[]> refused = answer.join();
        assertThat(refused.statusCode()).isEqualTo(421);
        assertThat(text(refused)).contains("\"error\":\"epoch_mismatch\"");
        assertThat(get(base + "/api/objects/failed-promotion").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldRefuseARequestStampedForTheEpochItFollowedWhileOpeningTheNext() {
        HttpResponse<byte[]> stale = put(base + "/api/objects/stale", "{}", Headers.EPOCH, Long.toString(FOLLOWED));

        assertThat(stale.statusCode()).isEqualTo(421);
        assertThat(text(stale)).contains("\"error\":\"epoch_mismatch\"").contains("\"servedEpoch\":" + FOLLOWED);
        assertThat(get(base + "/api/objects/stale").statusCode()).isEqualTo(404);
    }

    private static CompletableFuture<HttpResponse<byte[]>> putStamped(String id, long epoch) {
        return putAsync(base + "/api/objects/" + id, "{\"n\":1}", Headers.EPOCH, Long.toString(epoch));
    }

    /** A request thread is parked in {@link WriteGate#awaitOpen}, not merely on its way there. */
    private static boolean aRequestWaitsAtTheGate() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getState() == Thread.State.TIMED_WAITING)
                .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(frame ->
                        frame.getClassName().equals(WriteGate.class.getName()) && frame.getMethodName().equals("awaitOpen")));
    }
}
