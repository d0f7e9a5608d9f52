package io.understudy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.config.ConfigException;
import io.understudy.node.support.Http;
import io.understudy.node.support.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An application's own schema behind two real nodes: its tables, sequences and schema changes follow the primary,
 * and after a failover the new primary hands out ids the old one never used.
 */
class AppDatabaseIT extends WithTwoDatabases {

    private static final Map<String, String> APP = Map.of("replication.include", "app.*", "replication.sequenceGap", "100");

    private static void exec(EmbeddedPostgres pg, String sql) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long value(EmbeddedPostgres pg, String sql) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void shouldReplicateTheApplicationsSchemaAndHandOutFreshIdsAfterAFailover() throws Exception {
        exec(pgA, "CREATE SCHEMA app; CREATE TABLE app.orders (id bigserial PRIMARY KEY, note text);"
                + " CREATE TABLE app.events (at timestamptz DEFAULT now(), what text)");
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir, APP);
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir, APP);
        a = Node.start(configA);
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(configA.apiAdvertisedUrl() + "/primary") == 200);
        exec(pgA, "INSERT INTO app.orders (note) SELECT 'before ' || g FROM generate_series(1, 20) g");
        b = Node.start(configB);
        await().atMost(Duration.ofSeconds(60)).until(() -> Http.status(configB.apiAdvertisedUrl() + "/replica") == 200);

        // the application keeps writing, and upgrades itself on the primary
        exec(pgA, "INSERT INTO app.orders (note) SELECT 'streamed ' || g FROM generate_series(1, 30) g");
        exec(pgA, "INSERT INTO app.events (what) VALUES ('twin'), ('twin')");
        exec(pgA, "UPDATE app.events SET what = 'seen' WHERE ctid = (SELECT ctid FROM app.events LIMIT 1)");
        exec(pgA, "BEGIN; CREATE TABLE app.items (id serial PRIMARY KEY, name text); INSERT INTO app.items (name)"
                + " SELECT 'item ' || g FROM generate_series(1, 7) g; ALTER TABLE app.orders ADD COLUMN qty int DEFAULT 1; COMMIT");
        exec(pgA, "CREATE SEQUENCE app.tickets; SELECT nextval('app.tickets') FROM generate_series(1, 500)");
        long ordersMax = value(pgA, "SELECT max(id) FROM app.orders");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> value(pgB, "SELECT count(*) FROM app.orders") == 50
                && value(pgB, "SELECT count(*) FROM app.items") == 7
                && value(pgB, "SELECT count(*) FROM app.events WHERE what = 'seen'") == 1
                && value(pgB, "SELECT coalesce(max(last_value), 0) FROM understudy.sequence_marks WHERE sequence_name = 'tickets'") == 500);
        assertThat(value(pgB, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'qty'"))
                .isEqualTo(1);

        a.close();
        a = null;
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(configB.apiAdvertisedUrl() + "/primary") == 200);

        // past every id that existed (by the gap), and past what the old primary marked for a sequence no table uses
        assertThat(value(pgB, "SELECT nextval('app.orders_id_seq')")).isGreaterThan(ordersMax + 100);
        assertThat(value(pgB, "INSERT INTO app.items (name) VALUES ('after') RETURNING id")).isGreaterThan(7 + 100);
        assertThat(value(pgB, "SELECT nextval('app.tickets')")).isGreaterThan(500 + 100);
        // and the new primary captures its own schema changes
        exec(pgB, "CREATE TABLE app.after_failover (id int PRIMARY KEY)");
        assertThat(value(pgB, "SELECT count(*) FROM understudy.ddl_log WHERE query LIKE 'CREATE TABLE app.after_failover%'"))
                .isEqualTo(1);
    }

    @Test
    void shouldRefuseToStartWithATableWithoutPrimaryKeyWhenConfiguredSo() throws Exception {
        exec(pgA, "CREATE SCHEMA app; CREATE TABLE app.events (what text)");
        NodeConfig config = TestNodes.config("a", zk.getConnectString(), pgA, dir,
                Map.of("replication.include", "app.*", "replication.noPrimaryKey", "refuse"));

        assertThatThrownBy(() -> a = Node.start(config)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test-node-a: replication.noPrimaryKey: app.events has no primary key");
    }
}
