package io.understudy.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.node.support.Postgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A node whose database role is named like Understudy's internal schema ({@code understudy}, as the Ansible roles
 * create it): PostgreSQL's default search path ({@code "$user", public}) would resolve unqualified names in that schema
 * once it exists, so the schema history and the node's own tables must not depend on the role's search path.
 */
class DatabaseRoleIT {

    @Test
    void shouldOpenAgainAsARoleNamedLikeTheInternalSchema() throws Exception {
        try (EmbeddedPostgres pg = Postgres.start()) {
            try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"));
                 Statement st = c.createStatement()) {
                st.execute("CREATE ROLE understudy LOGIN SUPERUSER PASSWORD 'pw'");
            }
            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
            Database.open(url, "understudy", "pw", 2, "role-it-first").close();

            // The second start is every restart of a deployed node: schema "understudy" exists by now.
            try (Database again = Database.open(url, "understudy", "pw", 2, "role-it-again");
                 Connection c = again.dataSource().getConnection();
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_schema()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("public");
            }
        }
    }
}
