package io.understudy.node.duties;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.DutyRecord;
import io.understudy.cluster.DutyRun;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.zk.ZkPaths;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The duties' thin adapter to ZooKeeper: {@code /duties/<name>} records and the duty entries of
 * {@code /history}. Blocking; called from the duty runner's thread only.
 */
final class DutyStore {

    /** A record with the znode version it was read at, for versioned writes. */
    record Versioned(DutyRecord record, int version) {
    }

    /** The start was not recorded: {@code /primary} no longer names this node in the run's epoch. */
    static final class FenceLostException extends Exception {
        FenceLostException(String message) {
            super(message, null, false, false);
        }
    }

    private final CuratorFramework client;
    private final ZkPaths paths;
    private final String nodeId;

    DutyStore(CuratorFramework client, ZkPaths paths, String nodeId) {
        this.client = client;
        this.paths = paths;
        this.nodeId = nodeId;
    }

    /** The duty's record, empty if it has none. */
    Optional<Versioned> read(String duty) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = client.getData().storingStatIn(stat).forPath(paths.duty(duty));
            return Optional.of(new Versioned(ClusterJson.fromBytes(data, DutyRecord.class), stat.getVersion()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** Creates the duty's record (and the persistent parents the start transaction needs); another's wins a race. */
    Versioned register(String duty, long nowMs) throws Exception {
        for (String parent : new String[] {paths.duties(), paths.history()}) {
            try {
                client.create().creatingParentsIfNeeded().forPath(parent);
            } catch (KeeperException.NodeExistsException ignored) {
                // created before
            }
        }
        try {
            client.create().forPath(paths.duty(duty), ClusterJson.toBytes(new DutyRecord(duty, nowMs, null)));
        } catch (KeeperException.NodeExistsException ignored) {
            // an earlier primary registered it meanwhile: take its record
        }
        return read(duty).orElseThrow(() -> new IllegalStateException(paths.duty(duty) + " vanished"));
    }

    /**
     * Records {@code run} as the duty's last run and appends {@code DUTY_STARTED} to the history, in one
     * transaction that also checks that {@code /primary} is unchanged since it was read naming this node in the
     * run's epoch. Returns the new record.
     *
     * @throws FenceLostException when {@code /primary} names another node or epoch, or changed meanwhile
     * @throws KeeperException.BadVersionException when the duty's record changed since {@code current} was read
     */
    Versioned start(Versioned current, DutyRun run) throws Exception {
        Stat primaryStat = new Stat();
        PrimaryRecord primary = ClusterJson.fromBytes(client.getData().storingStatIn(primaryStat).forPath(paths.primary()),
                PrimaryRecord.class);
        if (!primary.nodeId().equals(nodeId) || primary.epoch() != run.epoch()) {
            throw new FenceLostException("/primary names " + primary.nodeId() + "@" + primary.epoch());
        }
        DutyRecord next = current.record().withLast(run);
        try {
            client.transaction().forOperations(
                    client.transactionOp().check().withVersion(primaryStat.getVersion()).forPath(paths.primary()),
                    client.transactionOp().setData().withVersion(current.version())
                            .forPath(paths.duty(run.duty()), ClusterJson.toBytes(next)),
                    client.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                            .forPath(paths.historyEntry(), ClusterJson.toBytes(history(HistoryRecord.Type.DUTY_STARTED, run))));
        } catch (KeeperException e) {
            if (failedOperation(e) == 0) {
                throw new FenceLostException("/primary changed while the run was being recorded");
            }
            throw e;
        }
        return new Versioned(next, current.version() + 1);
    }

    /**
     * Appends {@code DUTY_ENDED} to the history and, if the duty's record still names this run as its last, records
     * the end there too (one transaction). Not fenced: an end is a fact, and a newer primary that already started a
     * run of its own keeps its record. Returns the record as it is now, empty if it has none.
     */
    Optional<Versioned> end(DutyRun ended) throws Exception {
        byte[] entry = ClusterJson.toBytes(history(HistoryRecord.Type.DUTY_ENDED, ended));
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<Versioned> current = read(ended.duty());
            DutyRun last = current.map(v -> v.record().last()).orElse(null);
            if (last == null || !last.runId().equals(ended.runId())) {
                client.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(paths.historyEntry(), entry);
                return current;
            }
            DutyRecord next = current.get().record().withLast(ended);
            try {
                client.transaction().forOperations(
                        client.transactionOp().setData().withVersion(current.get().version())
                                .forPath(paths.duty(ended.duty()), ClusterJson.toBytes(next)),
                        client.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                                .forPath(paths.historyEntry(), entry));
                return Optional.of(new Versioned(next, current.get().version() + 1));
            } catch (KeeperException.BadVersionException raced) {
                // a newer primary wrote meanwhile; look again
            }
        }
        throw new IllegalStateException("could not record the end of " + ended.runId() + " after 5 attempts");
    }

    /** Which operation of a failed transaction failed (ZooKeeper reports it in the results, not the path); -1 unknown. */
    private static int failedOperation(KeeperException e) {
        java.util.List<org.apache.zookeeper.OpResult> results = e.getResults();
        for (int i = 0; results != null && i < results.size(); i++) {
            if (results.get(i) instanceof org.apache.zookeeper.OpResult.ErrorResult error
                    && error.getErr() != KeeperException.Code.OK.intValue()) {
                return i;
            }
        }
        return -1;
    }

    private HistoryRecord history(HistoryRecord.Type type, DutyRun run) {
        long at = type == HistoryRecord.Type.DUTY_STARTED ? run.startedAtMs() : run.endedAtMs();
        return HistoryRecord.ofDuty(type, run.nodeId(), run.epoch(), at, run.reason(), run);
    }
}
