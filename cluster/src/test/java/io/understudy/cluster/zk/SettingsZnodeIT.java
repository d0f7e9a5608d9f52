package io.understudy.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SettingsZnodeIT extends ZooKeeperTestBase {

    private ClusterSettings stored() throws Exception {
        return ClusterJson.fromBytes(client.getData().forPath(paths.config()), ClusterSettings.class);
    }

    @Test
    void shouldCreateTheZnodeFromTheDefaultsAndChangeOnlyWhatWasAskedFor() throws Exception {
        SettingsZnode.Update first = SettingsZnode.update(client, paths, s -> s.withPause(true, "ops"));
        SettingsZnode.Update second = SettingsZnode.update(client, paths,
                s -> new ClusterSettings(s.failoverPaused(), s.pausedReason(), 4096));

        assertThat(first.before()).isEqualTo(ClusterSettings.DEFAULTS);
        assertThat(second.before()).isEqualTo(first.after());
        assertThat(stored()).isEqualTo(new ClusterSettings(true, "ops", 4096));
    }

    @Test
    void shouldKeepEveryConcurrentWritersChange() throws Exception {
        SettingsZnode.update(client, paths, s -> s);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                writers.add(pool.submit(() -> {
                    go.await();
                    return SettingsZnode.update(client, paths,
                            s -> new ClusterSettings(s.failoverPaused(), s.pausedReason(), s.maxLagOnFailoverBytes() + 1));
                }));
            }
            go.countDown();
            for (Future<?> writer : writers) {
                writer.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(stored().maxLagOnFailoverBytes()).isEqualTo(ClusterSettings.DEFAULT_MAX_LAG_ON_FAILOVER + 4);
    }

    @Test
    void shouldWriteNothingWhenTheChangeRefuses() throws Exception {
        SettingsZnode.update(client, paths, s -> s.withPause(true, "ops"));

        assertThatThrownBy(() -> SettingsZnode.update(client, paths, s -> {
            throw new IllegalArgumentException("refused");
        })).hasMessage("refused");
        assertThat(stored()).isEqualTo(ClusterSettings.DEFAULTS.withPause(true, "ops"));
    }
}
