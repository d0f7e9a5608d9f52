package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.node.support.Postgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The publications a primary keeps and drops, on a real PostgreSQL with logical WAL. */
class SlotKeeperIT {

    private EmbeddedPostgres pg;
    private SlotKeeper keeper;

    @BeforeEach
    void start() throws Exception {
        pg = Postgres.start();
        keeper = new SlotKeeper(pg.getPostgresDatabase(), "understudy_", ReplicationSettings.DEFAULTS);
        sql("CREATE TABLE t (id int PRIMARY KEY)");
    }

    @AfterEach
    void stop() throws Exception {
        pg.close();
    }

    @Test
    void aPrimaryStartingOrPromotedKeepsAPublicationASecondaryHasJustCreatedBeforeItsSlot() throws Exception {
        // A secondary that has just learnt of this primary creates its publication, then its slot: a rolling restart
        // or the housekeeping after a promotion must not drop it in between.
        sql("CREATE PUBLICATION understudy_c FOR TABLE t");

        keeper.boundRetainedWal();

        assertThat(publications()).containsExactly("understudy_c");
    }

    @Test
    void aPromotionDropsPublicationsWithoutASlotBeforeAnySecondaryKnowsOfIt() throws Exception {
        sql("CREATE PUBLICATION understudy_gone FOR TABLE t");
        sql("CREATE PUBLICATION understudy_kept FOR TABLE t");
        sql("SELECT pg_create_logical_replication_slot('understudy_kept', 'pgoutput')");
        sql("CREATE PUBLICATION someone_elses FOR TABLE t");

        keeper.dropPublicationsWithoutSlot(null);

        assertThat(publications()).containsExactly("someone_elses", "understudy_kept");
    }

    @Test
    void aPromotionKeepsThePublicationOfTheOldPrimaryWhoseSlotItCreatesNext() throws Exception {
        sql("CREATE PUBLICATION understudy_a FOR TABLE t");
        sql("CREATE PUBLICATION understudy_gone FOR TABLE t");

        keeper.dropPublicationsWithoutSlot("understudy_a");

        assertThat(publications()).containsExactly("understudy_a");
    }

    private void sql(String statement) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private List<String> publications() throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pubname FROM pg_publication ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
