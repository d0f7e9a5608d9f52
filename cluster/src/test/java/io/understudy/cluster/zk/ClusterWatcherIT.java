package io.understudy.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

class ClusterWatcherIT extends ZooKeeperTestBase {

    @Test
    void shouldFollowPrimaryAndMembersByWatch() throws Exception {
        CopyOnWriteArrayList<ClusterView> seen = new CopyOnWriteArrayList<>();
        try (ClusterWatcher watcher = new ClusterWatcher(client, paths).start(client)) {
            assertThat(watcher.awaitInitialized(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            watcher.addListener(seen::add);
            MemberRecord a = new MemberRecord("a", "http://127.0.0.1:1", "db", Role.PRIMARY, 1, 0, -1, true, "t", 0);
            client.create().withMode(CreateMode.EPHEMERAL).forPath(paths.member("a"), ClusterJson.toBytes(a));
            client.create().creatingParentsIfNeeded().forPath(paths.primary(),
                    ClusterJson.toBytes(new PrimaryRecord("a", "http://127.0.0.1:1", "db", 1, 0, null, 0)));

            await().atMost(Duration.ofSeconds(5)).until(() -> watcher.current().livePrimary().isPresent());
            assertThat(watcher.current().epoch()).isEqualTo(1);

            client.delete().forPath(paths.member("a"));
            await().atMost(Duration.ofSeconds(5)).until(() -> watcher.current().livePrimary().isEmpty());
            assertThat(watcher.current().primary()).isPresent();
            assertThat(seen).first().isEqualTo(ClusterView.EMPTY);
            assertThat(watcher.isInitialized()).isTrue();
        }
    }

    @Test
    void shouldPublishTheExistingPrimaryAsTheFirstViewNeverAnEmptyOne() throws Exception {
        client.create().creatingParentsIfNeeded().forPath(paths.primary(),
                ClusterJson.toBytes(new PrimaryRecord("a", "http://127.0.0.1:1", "db", 7, 0, null, 0)));
        CopyOnWriteArrayList<ClusterView> seen = new CopyOnWriteArrayList<>();
        try (ClusterWatcher watcher = new ClusterWatcher(client, paths)) {
            watcher.addListener(seen::add);
            watcher.start(client);
            assertThat(watcher.awaitInitialized(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
            assertThat(seen).allSatisfy(view -> assertThat(view.epoch()).isEqualTo(7));
        }
    }

    @Test
    void shouldIgnoreUnreadableZnodes() throws Exception {
        try (ClusterWatcher watcher = new ClusterWatcher(client, paths).start(client)) {
            client.create().withMode(CreateMode.EPHEMERAL).forPath(paths.member("junk"), "not json".getBytes());
            MemberRecord b = new MemberRecord("b", "http://127.0.0.1:2", "db", Role.SECONDARY, 0, 0, -1, true, "t", 0);
            client.create().withMode(CreateMode.EPHEMERAL).forPath(paths.member("b"), ClusterJson.toBytes(b));

            await().atMost(Duration.ofSeconds(5)).until(() -> watcher.current().member("b").isPresent());
            assertThat(watcher.current().members()).extracting(MemberRecord::nodeId).containsExactly("b");
        }
    }
}
