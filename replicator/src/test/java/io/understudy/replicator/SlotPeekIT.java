package io.understudy.replicator;

import static io.understudy.replicator.PgPair.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.replicator.capture.PeekedChange;
import io.understudy.replicator.capture.PeekedTransaction;
import io.understudy.replicator.capture.SlotPeek;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Peeking a real slot on a real PostgreSQL, and how its positions line up with what the replicator records. */
class SlotPeekIT extends WithPgPair {

    private static SlotPeek.Outcome peek(String slot, String publication) throws Exception {
        try (Connection c = pg.source.getPostgresDatabase().getConnection()) {
            return SlotPeek.peek(c, slot, publication);
        }
    }

    @Test
    void shouldReadEveryUnconsumedTransactionWithRowContentsAndLeaveTheSlotAsItWas() throws Exception {
        pg.both("CREATE TABLE public.peek_docs (id text PRIMARY KEY, body bytea NOT NULL, n numeric)");
        exec(pg.source, "CREATE PUBLICATION peek_pub FOR TABLE public.peek_docs");
        exec(pg.source, "SELECT pg_create_logical_replication_slot('peek_slot', 'pgoutput')");
        try {
            exec(pg.source, "INSERT INTO peek_docs VALUES ('d1', '\\x7b7d', 1.50), ('d2', 'abc', NULL)");
            exec(pg.source, "BEGIN; UPDATE peek_docs SET n = 2 WHERE id = 'd1'; DELETE FROM peek_docs WHERE id = 'd2'; COMMIT");
            exec(pg.source, "TRUNCATE peek_docs");

            SlotPeek.Outcome outcome = peek("peek_slot", "peek_pub");
            assertThat(outcome).isInstanceOf(SlotPeek.Decoded.class);
            List<PeekedTransaction> txs = ((SlotPeek.Decoded) outcome).transactions();
            assertThat(txs).hasSize(3);
            assertThat(txs.get(0).changes()).extracting(PeekedChange::op).containsExactly(PeekedChange.Op.INSERT, PeekedChange.Op.INSERT);
            assertThat(txs.get(0).changes().get(0).values()).containsEntry("id", "d1").containsEntry("body", "\\x7b7d")
                    .containsEntry("n", "1.50");
            assertThat(txs.get(0).changes().get(1).values()).containsEntry("body", "\\x616263").containsEntry("n", null);
            assertThat(txs.get(1).changes()).extracting(PeekedChange::op).containsExactly(PeekedChange.Op.UPDATE, PeekedChange.Op.DELETE);
            assertThat(txs.get(1).changes().get(1).row()).containsEntry("id", "d2");
            assertThat(txs.get(2).changes()).singleElement().satisfies(c -> {
                assertThat(c.op()).isEqualTo(PeekedChange.Op.TRUNCATE);
                assertThat(c.table()).isEqualTo("public.peek_docs");
            });
            assertThat(txs).extracting(PeekedTransaction::commitPosition).isSorted();
            assertThat(txs.get(0).commitPosition()).isGreaterThan(txs.get(0).commitLsn());

            assertThat(peek("peek_slot", "peek_pub")).isEqualTo(outcome); // not consumed
        } finally {
            exec(pg.source, "SELECT pg_drop_replication_slot('peek_slot')");
        }
    }

    @Test
    void shouldSayWhyASlotCannotBeRead() throws Exception {
        assertThat(peek("peek_nothing", "peek_pub")).isInstanceOfSatisfying(SlotPeek.Unreadable.class,
                u -> assertThat(u.reason()).contains("no logical slot peek_nothing"));
        exec(pg.source, "SELECT pg_create_logical_replication_slot('peek_nopub', 'pgoutput')");
        try {
            assertThat(peek("peek_nopub", "peek_missing_pub")).isInstanceOfSatisfying(SlotPeek.Unreadable.class,
                    u -> assertThat(u.reason()).contains("no publication peek_missing_pub"));
        } finally {
            exec(pg.source, "SELECT pg_drop_replication_slot('peek_nopub')");
        }
    }

    /**
     * Rejoin compares a peeked transaction's commit position with the position the new primary had applied: they
     * must be the same measure. A second slot sees the same transactions the replicator streams.
     */
    @Test
    void shouldReportTheSameCommitPositionsTheReplicatorRecords() throws Exception {
        pg.both("CREATE TABLE public.peek_items (id bigint PRIMARY KEY, name text)");
        Recorder recorder = new Recorder();
        try (Replicator r = new Replicator(pg.config("peek_stream", dataDir, "public.peek_items"), pg.targetPool, recorder)) {
            r.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> r.status().state() == State.STREAMING);
            exec(pg.source, "SELECT pg_create_logical_replication_slot('peek_witness', 'pgoutput')");
            try {
                for (int i = 1; i <= 3; i++) {
                    exec(pg.source, "INSERT INTO peek_items VALUES (" + i + ", 'n" + i + "')");
                }
                List<Long> peeked = ((SlotPeek.Decoded) peek("peek_witness", "peek_stream")).transactions().stream()
                        .map(PeekedTransaction::commitPosition).toList();
                assertThat(peeked).hasSize(3);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(recorder.positions()).containsAll(peeked));
            } finally {
                exec(pg.source, "SELECT pg_drop_replication_slot('peek_witness')");
            }
        }
    }
}
