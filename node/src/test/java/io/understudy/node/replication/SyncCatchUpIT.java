package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.node.replication.ReplicationSettings.SyncFallback;
import io.understudy.node.replication.ReplicationSettings.SyncMode;
import io.understudy.node.store.Database;
import io.understudy.node.support.Postgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sync mode's catch-up rule on a real PostgreSQL: a secondary that fell behind counts as attached
 * again only once it has every write acknowledged without it. Its progress is reported the way
 * {@code POST /replication/applied} reports it.
 */
class SyncCatchUpIT {

    private static final String SOURCE = "a@1";

    private EmbeddedPostgres pg;
    private Database db;

    @BeforeEach
    void start() throws Exception {
        pg = Postgres.start();
        db = Database.open(Postgres.url(pg), "postgres", "postgres", 2, "catch-up");
        db.inTransaction(c -> c.createStatement().execute("CREATE TABLE written (n int)"));
    }

    @AfterEach
    void stop() throws Exception {
        db.close();
        pg.close();
    }

    private void write(int n) throws Exception {
        db.inTransaction(c -> c.createStatement().execute("INSERT INTO written VALUES (" + n + ")"));
    }

    @Test
    void shouldReattachALaggingSecondaryOnlyOnceItHasEveryWriteAcknowledgedWithoutIt() throws Exception {
        ReplicationSettings settings = new ReplicationSettings(SyncMode.SYNC, 200, SyncFallback.ASYNC, "1GB", 256L << 20,
                600_000);
        SyncReplication sync = new SyncReplication(settings, db, () -> "");
        sync.serve(SOURCE);
        sync.applied("b", SOURCE, db.currentWalPosition());
        assertThat(sync.attached()).isTrue();

        // the secondary stops making progress: the first write waits out the timeout, then is acknowledged degraded
        write(0);
        long timedOut = db.currentWalPosition();
        assertThat(sync.awaitReplicated(() -> true)).isNull();
        assertThat(sync.degraded()).isTrue();
        // and the next ones are acknowledged at once, without it
        for (int n = 1; n <= 3; n++) {
            assertThat(sync.refuseBeforeWrite()).isNull();
            write(n);
            assertThat(sync.awaitReplicated(() -> true)).isNull();
        }
        long lastAcknowledged = db.currentWalPosition();
        assertThat(lastAcknowledged).isGreaterThan(timedOut);

        sync.applied("b", SOURCE, timedOut);
        assertThat(sync.attached()).as("it has the timed-out write, not the ones after it").isFalse();
        assertThat(sync.degraded()).isTrue();

        sync.applied("b", SOURCE, lastAcknowledged);
        assertThat(sync.attached()).isTrue();
        assertThat(sync.degraded()).isFalse();
    }
}
