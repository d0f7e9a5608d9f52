package io.understudy.replicator;

import static io.understudy.replicator.PgPair.count;
import static io.understudy.replicator.PgPair.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Input the target cannot take faithfully stops replication safely: the state is FAILED, the error names table and
 * column, and nothing of the offending source transaction (not even its good rows in other tables) is applied.
 */
class BadInputIT extends WithPgPair {

    /** A bound, not a speed target: starting Debezium on a busy two-core machine has taken longer than 30 s. */
    private static final Duration WAIT = Duration.ofMinutes(2);

    /** Streams {@code good} and {@code bad}; commits one transaction writing both; returns the failed replicator's error. */
    private String failOn(String name, String badInsert, String good, String bad) throws Exception {
        try (Replicator r = new Replicator(pg.config(name, dataDir, "public." + good, "public." + bad), pg.targetPool, new Recorder())) {
            r.start();
            await().atMost(WAIT).until(() -> r.status().state() == State.STREAMING);
            exec(pg.source, "BEGIN; INSERT INTO " + good + " VALUES (1, 'fine'); " + badInsert + "; COMMIT");
            await().atMost(WAIT).until(() -> r.status().state() == State.FAILED);
            assertThat(count(pg.target, "SELECT count(*) FROM " + good)).as("the transaction's good row").isZero();
            assertThat(count(pg.target, "SELECT count(*) FROM " + bad)).isZero();
            return r.status().error();
        }
    }

    @Test
    void anUnknownTypeFailsNamingTableAndColumn() throws Exception {
        pg.both("CREATE TABLE public.bi_good1 (id bigint PRIMARY KEY, v text)");
        pg.both("CREATE TABLE public.bi_geo (id bigint PRIMARY KEY, p point)");

        String error = failOn("bi_geo", "INSERT INTO bi_geo VALUES (1, '(1,2)')", "bi_good1", "bi_geo");

        assertThat(error).contains("public.bi_geo.p");
    }

    @Test
    void aColumnMissingOnTheTargetFailsNamingIt() throws Exception {
        pg.both("CREATE TABLE public.bi_good2 (id bigint PRIMARY KEY, v text)");
        exec(pg.source, "CREATE TABLE public.bi_wide (id bigint PRIMARY KEY, v text, extra text)");
        exec(pg.target, "CREATE TABLE public.bi_wide (id bigint PRIMARY KEY, v text)");

        String error = failOn("bi_wide", "INSERT INTO bi_wide VALUES (1, 'v', 'only on the source')", "bi_good2", "bi_wide");

        assertThat(error).contains("public.bi_wide.extra").contains("does not exist on the target");
    }

    @Test
    void aColumnTypeMismatchFailsNamingTheColumnAndTypes() throws Exception {
        pg.both("CREATE TABLE public.bi_good3 (id bigint PRIMARY KEY, v text)");
        exec(pg.source, "CREATE TABLE public.bi_typed (id bigint PRIMARY KEY, n text)");
        exec(pg.target, "CREATE TABLE public.bi_typed (id bigint PRIMARY KEY, n integer)");

        String error = failOn("bi_typed", "INSERT INTO bi_typed VALUES (1, 'not a number')", "bi_good3", "bi_typed");

        assertThat(error).contains("schema mismatch").contains("public.bi_typed.n").contains("integer").contains("id=1");
    }
}
