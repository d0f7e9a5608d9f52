package io.understudy.node.api;

import static io.understudy.node.support.Http.put;
import static io.understudy.node.support.Http.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.Role;
import io.understudy.node.role.WriteGate;
import io.understudy.node.store.Database;
import io.understudy.node.store.Etags;
import io.understudy.node.store.IdempotencyStore;
import io.understudy.node.store.ObjectStore;
import io.understudy.node.store.Precondition;
import io.understudy.node.store.WriteOutcome;
import io.understudy.node.support.Postgres;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The write path against a real PostgreSQL over real HTTP: which writes run as one auto-committed
 * statement, and what each kind of write answers when the write gate closes while it runs.
 */
class WritePathIT {

    private static final long EPOCH = 7;

    static EmbeddedPostgres pg;
    static Database db;
    static Undertow server;
    static String base;
    static final WriteGate gate = new WriteGate(60_000, System::nanoTime);
    static final ObjectStore store = new ObjectStore();
    static WritePath path;

    /** What the next request's write does besides its upsert. */
    static volatile boolean oneStatement;
    static volatile boolean closeGateDuringWrite;
    static final AtomicBoolean sawAutoCommit = new AtomicBoolean();

    @BeforeAll
    static void start() throws Exception {
        pg = Postgres.start();
        db = Database.open(Postgres.url(pg), "postgres", "", 4, "write-path-it");
        path = new WritePath(db, gate, new IdempotencyStore(), Stubs.node("solo", Role.PRIMARY, EPOCH), Stubs.async());
        server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(exchange -> {
            if (exchange.isInIoThread()) {
                exchange.dispatch(() -> handle(path, exchange));
                return;
            }
            handle(path, exchange);
        }).build();
        server.start();
        InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        base = "http://127.0.0.1:" + address.getPort() + "/";
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        if (db != null) {
            db.close();
        }
        if (pg != null) {
            try {
                pg.close();
            } catch (Exception ignored) {
                // the server is gone with the test's temporary directory
            }
        }
    }

    @BeforeEach
    void primary() {
        gate.open(EPOCH, System.nanoTime());
        oneStatement = true;
        closeGateDuringWrite = false;
        sawAutoCommit.set(false);
    }

    private static void handle(WritePath path, HttpServerExchange exchange) {
        exchange.startBlocking();
        String id = exchange.getRelativePath().substring(1);
        byte[] body;
        try {
            body = exchange.getInputStream().readAllBytes();
            String etag = Etags.of(body);
            path.execute(exchange, "PUT " + id + " " + etag, oneStatement, (c, epoch) -> upsert(c, id, body, etag, epoch));
        } catch (Exception e) {
            Responses.error(exchange, 500, "internal_error", String.valueOf(e));
        }
    }

    private static WritePath.Reply upsert(Connection c, String id, byte[] body, String etag, long epoch) throws Exception {
        sawAutoCommit.set(c.getAutoCommit());
        var written = (WriteOutcome.Written) store.put(c, id, body, etag,
                new Precondition(null, false), epoch);
        if (closeGateDuringWrite) {
            gate.close("lease lost during the write (test)");
        }
        return WritePath.Reply.of(written.created() ? 201 : 200, written.etag(), Map.of("id", id, "version", written.version()));
    }

    private static Optional<String> stored(String id) throws Exception {
        return db.inSnapshot(c -> store.get(c, id)).map(o -> new String(o.body(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldSendAnUnkeyedOneStatementWriteAsThatStatementAlone() throws Exception {
        HttpResponse<byte[]> created = put(base + "single", "{\"n\":1}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(sawAutoCommit).as("auto-commit: no BEGIN, no COMMIT round trip").isTrue();
        assertThat(stored("single")).contains("{\"n\":1}");
        assertThat(text(put(base + "single", "{\"n\":2}"))).contains("\"version\":2");
    }

    @Test
    void shouldRunAKeyedWriteInOneTransactionWithItsIdempotencyRecord() throws Exception {
        HttpResponse<byte[]> first = put(base + "keyed", "{\"n\":1}", "Idempotency-Key", "wp-1");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(sawAutoCommit).as("the write and its key commit together").isFalse();
        HttpResponse<byte[]> again = put(base + "keyed", "{\"n\":1}", "Idempotency-Key", "wp-1");
        assertThat(again.headers().firstValue("Idempotency-Replayed")).contains("true");
        assertThat(text(again)).contains("\"version\":1");
    }

    @Test
    void shouldRunAWriteOfSeveralStatementsInOneTransaction() {
        oneStatement = false;
        assertThat(put(base + "multi", "{}").statusCode()).isEqualTo(201);
        assertThat(sawAutoCommit).isFalse();
    }

    @Test
    void shouldRefuseEveryWriteOnceTheGateIsClosed() throws Exception {
        gate.close("not primary (test)");
        HttpResponse<byte[]> refused = put(base + "fenced", "{}");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(text(refused)).contains("\"error\":\"not_primary\"");
        assertThat(stored("fenced")).isEmpty();
    }

    @Test
    void shouldNeverAcknowledgeAnAutoCommittedWriteWhoseGateClosedMeanwhile() throws Exception {
        closeGateDuringWrite = true;
        HttpResponse<byte[]> answer = put(base + "late-single", "{}");
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(text(answer)).contains("\"error\":\"not_acknowledged\"");
        // committed with its statement, never acknowledged: what a deposed primary keeps is its rejoin's business
        assertThat(stored("late-single")).isPresent();
    }

    @Test
    void shouldRollBackATransactionalWriteWhoseGateClosedBeforeCommit() throws Exception {
        oneStatement = false;
        closeGateDuringWrite = true;
        HttpResponse<byte[]> answer = put(base + "late-multi", "{}");
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(text(answer)).contains("\"error\":\"not_primary\"").contains("nothing was applied");
        assertThat(stored("late-multi")).isEmpty();
    }

    @Test
    void shouldRehearseAKeyedWriteWithoutWritingAnythingWhetherTheGateIsOpenOrNot() throws Exception {
        path.rehearse("rehearsed-key", "PUT rehearsed", (c, epoch) -> upsert(c, "rehearsed", "{}".getBytes(StandardCharsets.UTF_8),
                "e1", epoch));
        gate.close("a secondary (test)");
        path.rehearse("rehearsed-key", "PUT rehearsed", (c, epoch) -> upsert(c, "rehearsed", "{}".getBytes(StandardCharsets.UTF_8),
                "e1", epoch));

        assertThat(stored("rehearsed")).isEmpty();
        Optional<IdempotencyStore.Remembered> key = db.inTransaction(c -> new IdempotencyStore().lockAndFind(c, "rehearsed-key"));
        assertThat(key).isEmpty();
        gate.open(EPOCH, System.nanoTime());
        HttpResponse<byte[]> real = put(base + "rehearsed", "{\"n\":1}", "Idempotency-Key", "rehearsed-key");
        assertThat(real.statusCode()).as("neither the object nor the key was left behind").isEqualTo(201);
        assertThat(real.headers().firstValue("Idempotency-Replayed")).isEmpty();
    }
}
