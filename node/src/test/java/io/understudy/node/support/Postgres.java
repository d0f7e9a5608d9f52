package io.understudy.node.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/** A real PostgreSQL for tests: logical WAL, durability on, loopback only. */
public final class Postgres {

    private Postgres() {
    }

    public static EmbeddedPostgres start() throws IOException {
        return builder().start();
    }

    /**
     * A server whose data stays in {@code dataDir} when it is closed, so that the same call starts
     * it again with its data on the same {@code port}: a database that really stops and comes back.
     */
    public static EmbeddedPostgres startKeeping(java.nio.file.Path dataDir, int port) throws IOException {
        return builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port).start();
    }

    private static EmbeddedPostgres.Builder builder() {
        return EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "10")
                .setServerConfig("max_wal_senders", "10")
                .setServerConfig("synchronous_commit", "on");
    }

    public static String url(EmbeddedPostgres pg) {
        return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
    }
}
