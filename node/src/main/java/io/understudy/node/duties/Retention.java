package io.understudy.node.duties;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.role.WriteGate;
import io.understudy.node.store.Database;
import java.sql.PreparedStatement;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's pruning of what would otherwise grow without bound: the oldest {@code /history} entries beyond
 * {@code historyMaxEntries}, and remembered {@code Idempotency-Key} responses older than
 * {@code idempotencyKeyMaxAgeMs} (both cluster-wide, in {@code /config}). The keys are deleted like any write of
 * the primary, admitted by its write gate in its epoch and checked again before commit, so the deletes replicate
 * to the secondaries and a deposed primary deletes nothing its successor lacks. Blocking; the duty runner's
 * thread calls it.
 */
public final class Retention {

    /** Rows per delete transaction, and at most this many transactions per round: short transactions, bounded work. */
    static final int KEY_BATCH = 5000;
    static final int KEY_BATCHES_PER_ROUND = 20;
    /** History deletes per round; a bigger backlog shrinks over the next rounds. */
    static final int HISTORY_DELETES_PER_ROUND = 2000;
    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private final Database db;
    private final WriteGate gate;
    private final Counter historyDeleted;
    private final Counter keysDeleted;

    public Retention(Database db, WriteGate gate, MeterRegistry metrics) {
        this.db = db;
        this.gate = gate;
        this.historyDeleted = Counter.builder("understudy.retention.deleted").tag("what", "history")
                .description("entries deleted by retention").register(metrics);
        this.keysDeleted = Counter.builder("understudy.retention.deleted").tag("what", "idempotency_keys")
                .description("entries deleted by retention").register(metrics);
    }

    /** One round of both; failures are logged, the next round tries again. */
    void prune(CuratorFramework client, ZkPaths paths, ClusterSettings settings, long epoch) {
        try {
            int history = pruneHistory(client, paths, settings.effectiveHistoryMaxEntries());
            int keys = pruneKeys(settings.effectiveIdempotencyKeyMaxAgeMs(), epoch);
            if (history + keys > 0) {
                log.info("retention: deleted {} history entries beyond {} and {} idempotency keys older than {} ms",
                        history, settings.effectiveHistoryMaxEntries(), keys, settings.effectiveIdempotencyKeyMaxAgeMs());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("retention round failed, next round tries again: {}", e.toString());
        }
    }

    int pruneHistory(CuratorFramework client, ZkPaths paths, int keep) throws Exception {
        List<String> children;
        try {
            children = client.getChildren().forPath(paths.history());
        } catch (KeeperException.NoNodeException e) {
            return 0;
        }
        List<String> doomed = RetentionRules.historyToDelete(children, keep);
        int deleted = 0;
        for (String entry : doomed.subList(0, Math.min(doomed.size(), HISTORY_DELETES_PER_ROUND))) {
            try {
                client.delete().forPath(paths.history() + "/" + entry);
                deleted++;
            } catch (KeeperException.NoNodeException gone) {
                // deleted by an earlier primary's last round
            }
        }
        historyDeleted.increment(deleted);
        return deleted;
    }

    /** Deletes expired keys in {@code epoch}'s name; stops at the first batch the gate would not commit. */
    int pruneKeys(long maxAgeMs, long epoch) throws Exception {
        int total = 0;
        for (int batch = 0; batch < KEY_BATCHES_PER_ROUND; batch++) {
            if (!gate.stillOpen(epoch)) {
                break;
            }
            int deleted = db.inTransaction(c -> {
                int n;
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_keys WHERE key IN (SELECT key"
                        + " FROM idempotency_keys WHERE created_at < now() - ? * interval '1 millisecond' LIMIT ?)")) {
                    ps.setLong(1, maxAgeMs);
                    ps.setInt(2, KEY_BATCH);
                    n = ps.executeUpdate();
                }
                if (!gate.stillOpen(epoch)) {
                    throw new IllegalStateException("write gate closed during the delete; rolled back");
                }
                return n;
            });
            total += deleted;
            keysDeleted.increment(deleted);
            if (deleted < KEY_BATCH) {
                break;
            }
        }
        return total;
    }
}
