package io.understudy.node.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.node.support.Postgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The database fence on a real PostgreSQL: the application's role stops writing, its sessions end, and it writes again. */
class DbFenceIT {

    private EmbeddedPostgres pg;
    private DbFence fence;

    @BeforeEach
    void start() throws Exception {
        pg = Postgres.start();
        fence = new DbFence("wiki", pg.getPostgresDatabase());
    }

    @AfterEach
    void stop() throws Exception {
        pg.close();
    }

    private void asSuperuser(String sql) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private Connection asApplication() throws SQLException {
        return DriverManager.getConnection(Postgres.url(pg), "wiki", "");
    }

    private static void write(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO pages (title) VALUES ('Main')");
        }
    }

    private void createRoleAndTable() throws SQLException {
        asSuperuser("CREATE ROLE wiki LOGIN");
        asSuperuser("CREATE TABLE pages (id bigserial PRIMARY KEY, title text)");
        asSuperuser("GRANT INSERT, SELECT ON pages TO wiki");
        asSuperuser("GRANT USAGE ON SEQUENCE pages_id_seq TO wiki");
    }

    @Test
    void aFencedRoleCannotWriteAndItsOpenSessionsAreEnded() throws Exception {
        createRoleAndTable();
        Connection open = asApplication();
        write(open);

        fence.fence("demoted for the test");

        assertThatThrownBy(() -> write(open)).as("a session opened before the fence").isInstanceOf(SQLException.class);
        assertThat(open.isValid(2)).as("the session opened before the fence").isFalse();
        try (Connection fresh = asApplication()) {
            assertThatThrownBy(() -> write(fresh)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).as("read-only transaction").isEqualTo("25006"));
        }

        fence.lift("promoted for the test");
        try (Connection fresh = asApplication()) {
            write(fresh);
        }
    }

    @Test
    void aRoleThatDoesNotExistYetIsFencedOnceItDoes() throws Exception {
        fence.fence("starting");          // nothing to fence, and no failure
        createRoleAndTable();
        try (Connection c = asApplication()) {
            write(c);                      // not fenced yet: the fence did not pretend it was
        }

        fence.reconcile(false);            // what the node's tick does while it is not primary

        try (Connection c = asApplication()) {
            assertThatThrownBy(() -> write(c)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("25006"));
        }
    }
}
