package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.SyncStandbys;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.election.MembershipRecords;
import io.understudy.node.replication.ReplicationSettings.SyncFallback;
import io.understudy.node.replication.ReplicationSettings.SyncMode;
import io.understudy.node.store.Database;
import io.understudy.node.support.Postgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sync mode with two secondaries, b and c, on a real PostgreSQL and a real ZooKeeper: a write is acknowledged only
 * once every synchronous standby applied it, the standbys are in {@code /sync} before anyone relies on them, and a
 * standby that lags leaves {@code /sync} before a write is acknowledged without it. Progress is reported the way
 * {@code POST /replication/applied} reports it.
 */
class SyncStandbysIT {

    private static final String SOURCE = "a@1";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private EmbeddedPostgres pg;
    private Database db;
    private TestingServer zk;
    private CuratorFramework client;
    private final ZkPaths paths = new ZkPaths("it");
    private SyncReplication sync;

    @BeforeEach
    void start() throws Exception {
        pg = Postgres.start();
        db = Database.open(Postgres.url(pg), "postgres", "postgres", 4, "sync-standbys");
        db.inTransaction(c -> c.createStatement().execute("CREATE TABLE written (n int)"));
        zk = new TestingServer();
        client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        zk.close();
        db.close();
        pg.close();
    }

    private SyncReplication syncMode(SyncFallback fallback) {
        SyncReplication s = new SyncReplication(new ReplicationSettings(SyncMode.SYNC, 2000, fallback, "1GB", 256L << 20,
                600_000), db, () -> "");
        s.attach(new MembershipRecords(client, paths)::writeSyncStandbys);
        s.serve(SOURCE);
        return s;
    }

    private void write(int n) throws Exception {
        db.inTransaction(c -> c.createStatement().execute("INSERT INTO written VALUES (" + n + ")"));
    }

    /** Both secondaries keep up with everything until they are the published standbys. */
    private void bothJoin() {
        await("b and c published as standbys").atMost(WAIT).until(() -> {
            long now = db.currentWalPosition();
            sync.applied("b", SOURCE, now);
            sync.applied("c", SOURCE, now);
            return sync.standbys().equals(List.of("b", "c"));
        });
    }

    private SyncStandbys published() throws Exception {
        return ClusterJson.fromBytes(client.getData().forPath(paths.sync()), SyncStandbys.class);
    }

    @Test
    void shouldAcknowledgeAWriteOnlyOnceEveryStandbyAppliedIt() throws Exception {
        sync = syncMode(SyncFallback.REFUSE);
        assertThat(sync.refuseBeforeWrite()).as("no standby yet").isNotNull();
        bothJoin();
        assertThat(published()).isEqualTo(new SyncStandbys("a", 1, List.of("b", "c"), published().sinceMs()));

        write(1);
        long target = db.currentWalPosition();
        assertThat(sync.refuseBeforeWrite()).isNull();
        CompletableFuture<String> ack = CompletableFuture.supplyAsync(() -> {
            try {
                return sync.awaitReplicated(() -> true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        sync.applied("b", SOURCE, target);
        await("not acknowledged while c lacks the write").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1))
                .until(() -> !ack.isDone());
        sync.applied("c", SOURCE, target);
        assertThat(ack.get()).as("acknowledged once c applied it too").isNull();
    }

    @Test
    void shouldRewriteSyncWithoutALaggingStandbyBeforeAcknowledgingWithoutIt() throws Exception {
        sync = syncMode(SyncFallback.REFUSE);
        bothJoin();
        write(2);
        long target = db.currentWalPosition();
        CompletableFuture<String> ack = CompletableFuture.supplyAsync(() -> {
            try {
                return sync.awaitReplicated(() -> true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // b keeps up; c stops: it times out (or goes silent), leaves /sync, and then the write is acknowledged on b
        await("acknowledged on b alone").atMost(WAIT).until(() -> {
            sync.applied("b", SOURCE, Math.max(target, db.currentWalPosition()));
            return ack.isDone();
        });
        assertThat(ack.get()).isNull();
        assertThat(published().standbys()).as("/sync no longer names c").containsExactly("b");
        assertThat(sync.standbys()).containsExactly("b");
    }

    @Test
    void shouldKeepTheLastStandbyAndRefuseWhenItFallsSilent() throws Exception {
        sync = syncMode(SyncFallback.REFUSE);
        bothJoin();
        // c falls silent first and leaves; then b falls silent too, but as the last standby it stays in /sync
        await("c gone, b the last standby").atMost(WAIT).until(() -> {
            sync.applied("b", SOURCE, db.currentWalPosition());
            sync.tick();
            return sync.standbys().equals(List.of("b"));
        });
        await("writes refused once b is silent").atMost(WAIT).until(() -> {
            sync.tick();
            return sync.refuseBeforeWrite() != null;
        });
        assertThat(published().standbys()).as("b may alone hold acknowledged writes: only it may take over").containsExactly("b");
    }

    @Test
    void shouldAcknowledgeDegradedOnceTheLastStandbyLeftWhenAllowed() throws Exception {
        sync = syncMode(SyncFallback.ASYNC);
        bothJoin();
        await("both silent: they leave").atMost(WAIT).until(() -> {
            sync.tick();
            return sync.standbys().isEmpty();
        });
        assertThat(published().standbys()).isEmpty();
        write(3);
        assertThat(sync.refuseBeforeWrite()).isNull();
        assertThat(sync.awaitReplicated(() -> true)).isNull();
        assertThat(sync.degraded()).isTrue();

        // c comes back: it catches up, is confirmed while writes wait for it, and is published again
        await("c a standby again").atMost(WAIT).until(() -> {
            sync.applied("c", SOURCE, db.currentWalPosition());
            return sync.standbys().equals(List.of("c"));
        });
        assertThat(sync.degraded()).isFalse();
        assertThat(published().standbys()).containsExactly("c");
    }
}
