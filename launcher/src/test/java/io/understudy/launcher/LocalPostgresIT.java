package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPostgresIT {

    @TempDir
    Path dir;

    @Test
    void runsWithLogicalWalAndDurabilityOnAndKeepsDataAcrossRestart() throws Exception {
        int port = TestPorts.freePort();
        Path data = dir.resolve("pg");
        try (LocalPostgres pg = new LocalPostgres("postgres-test", data, port, dir.resolve("logs/pg.log"))) {
            pg.start();
            try (Connection c = pg.dataSource().getConnection()) {
                assertThat(show(c, "wal_level")).isEqualTo("logical");
                assertThat(show(c, "fsync")).isEqualTo("on");
                assertThat(show(c, "synchronous_commit")).isEqualTo("on");
                assertThat(show(c, "full_page_writes")).isEqualTo("on");
                assertThat(Integer.parseInt(show(c, "max_replication_slots"))).isGreaterThanOrEqualTo(10);
                assertThat(Integer.parseInt(show(c, "max_wal_senders"))).isGreaterThanOrEqualTo(10);
                assertThat(show(c, "listen_addresses")).isEqualTo("127.0.0.1");
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE kept (id int PRIMARY KEY, note text)");
                    s.execute("INSERT INTO kept VALUES (1, 'survives a restart ✓')");
                }
            }
        }
        assertThat(Files.exists(data.resolve("postmaster.pid"))).as("clean stop removes the pid file").isFalse();

        try (LocalPostgres pg = new LocalPostgres("postgres-test", data, port, dir.resolve("logs/pg.log"))) {
            pg.start();
            try (Connection c = pg.dataSource().getConnection();
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT note FROM kept WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("survives a restart ✓");
                assertThat(show(c, "fsync")).isEqualTo("on");
            }
        }
    }

    @Test
    void recoversFromAPidFileLeftByADeadServer() throws Exception {
        int port = TestPorts.freePort();
        Path data = dir.resolve("pg");
        try (LocalPostgres pg = new LocalPostgres("postgres-test", data, port, dir.resolve("logs/pg.log"))) {
            pg.start();
        }
        // A pid that is certainly not running: a child we started and that already exited.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(data.resolve("postmaster.pid"), gone.pid() + "\n" + data + "\n");

        try (LocalPostgres pg = new LocalPostgres("postgres-test", data, port, dir.resolve("logs/pg.log"))) {
            pg.start();
            try (Connection c = pg.dataSource().getConnection()) {
                assertThat(show(c, "wal_level")).isEqualTo("logical");
            }
        }
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
