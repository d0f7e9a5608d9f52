package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.node.support.Postgres;
import io.understudy.replicator.scope.CaptureSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A new primary's sequences, on a real PostgreSQL: its tables hold rows replicated from the old primary while its own
 * sequences never moved, as on a secondary; every kind of column a sequence fills is looked at in one query.
 */
class SequenceKeeperIT {

    private static final long GAP = 100;

    private EmbeddedPostgres pg;
    private SequenceKeeper keeper;

    @BeforeEach
    void start() throws Exception {
        pg = Postgres.start();
        keeper = new SequenceKeeper(pg.getPostgresDatabase());
        try (Connection c = pg.getPostgresDatabase().getConnection()) {
            CaptureSchema.ensureTables(c);
        }
        sql("CREATE SCHEMA app");
    }

    @AfterEach
    void stop() throws Exception {
        pg.close();
    }

    @Test
    void shouldMoveEverySequencePastTheValuesItsColumnsHoldWhateverKindOfColumnItFills() throws Exception {
        sql("CREATE TABLE app.orders (id bigserial PRIMARY KEY)");
        sql("INSERT INTO app.orders (id) SELECT g FROM generate_series(1, 50) g"); // as replicated: the sequence stays
        sql("CREATE TABLE app.items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY)");
        sql("INSERT INTO app.items (id) OVERRIDING SYSTEM VALUE SELECT g FROM generate_series(1, 30) g");
        sql("CREATE SEQUENCE app.shared");
        sql("CREATE TABLE app.\"Left Side\" (n smallint DEFAULT nextval('app.shared'))");
        sql("CREATE TABLE app.right_side (n bigint DEFAULT nextval('app.shared'))");
        sql("INSERT INTO app.\"Left Side\" VALUES (70)");
        sql("INSERT INTO app.right_side VALUES (90), (12)");
        sql("CREATE SEQUENCE app.down INCREMENT -1 MINVALUE -100000 MAXVALUE -1 START -1");
        sql("CREATE TABLE app.falling (id int DEFAULT nextval('app.down'))");
        sql("INSERT INTO app.falling SELECT -g FROM generate_series(1, 20) g");
        sql("CREATE TABLE app.empty (id serial)");

        keeper.advance(List.of("app", "understudy"), GAP);

        assertThat(value("SELECT nextval('app.orders_id_seq')")).isEqualTo(50 + GAP + 1);
        assertThat(value("INSERT INTO app.items DEFAULT VALUES RETURNING id")).isEqualTo(30 + GAP + 1);
        assertThat(value("SELECT nextval('app.shared')")).isEqualTo(90 + GAP + 1);
        assertThat(value("SELECT nextval('app.down')")).isEqualTo(-20 - GAP - 1);
        assertThat(value("SELECT nextval('app.empty_id_seq')")).as("no value known to be used: left alone").isEqualTo(1);
    }

    @Test
    void shouldMovePastTheOldPrimarysMarkWhenItWentFurtherThanTheRowsShow() throws Exception {
        sql("CREATE TABLE app.orders (id bigserial PRIMARY KEY)");
        sql("INSERT INTO app.orders (id) SELECT g FROM generate_series(1, 5) g");
        sql("CREATE SEQUENCE app.tickets");
        sql("INSERT INTO understudy.sequence_marks (sequence_schema, sequence_name, last_value)"
                + " VALUES ('app', 'orders_id_seq', 400), ('app', 'tickets', 500)");

        keeper.advance(List.of("app"), GAP);

        assertThat(value("SELECT nextval('app.orders_id_seq')")).isEqualTo(400 + GAP + 1);
        assertThat(value("SELECT nextval('app.tickets')")).isEqualTo(500 + GAP + 1);
    }

    @Test
    void shouldLeaveASequenceThatIsAlreadyFurtherThanEverythingUsed() throws Exception {
        sql("CREATE TABLE app.orders (id bigserial PRIMARY KEY)");
        sql("INSERT INTO app.orders (id) SELECT g FROM generate_series(1, 5) g");
        sql("SELECT setval('app.orders_id_seq', 1000)");

        keeper.advance(List.of("app"), GAP);

        assertThat(value("SELECT nextval('app.orders_id_seq')")).isEqualTo(1001);
    }

    @Test
    void shouldPreviewWhatItWouldMoveAndMoveNothing() throws Exception {
        sql("CREATE TABLE app.orders (id bigserial PRIMARY KEY)");
        sql("INSERT INTO app.orders (id) SELECT g FROM generate_series(1, 5) g");
        sql("CREATE TABLE app.empty (id serial)");

        assertThat(keeper.preview(List.of("app"), GAP)).isEqualTo(1);

        assertThat(value("SELECT nextval('app.orders_id_seq')")).isEqualTo(1);
    }

    private void sql(String statement) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private long value(String query) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
