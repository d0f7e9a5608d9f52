package io.understudy.workload;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a client-side history of writes against what the nodes hold afterwards. Pure: plain
 * values in, a {@link CheckReport} out. The rules:
 * <ul>
 *   <li>every acknowledged write is present, with its body, on every node given (sync mode: the
 *       primary and every secondary, once they have caught up);</li>
 *   <li>no epoch is served by two nodes (from the response headers);</li>
 *   <li>no write is acknowledged in an epoch older than one whose acknowledgement the client had
 *       already seen when it sent the write (a demoted primary must not ack after waking);</li>
 *   <li>each id is written by one logical write (sent again only with the same key and body), so a
 *       stored version above 1 means a retried write was applied twice; a create-only
 *       ({@code If-None-Match: *}) keyed write answered 412 means a retry ran again instead of being
 *       replayed from the idempotency store.</li>
 * </ul>
 */
public final class HistoryChecker {

    private HistoryChecker() {
    }

    /**
     * @param requests every request of the run (any order); reads are ignored
     * @param nodes    per node id, the objects it holds now (only the run's ids matter)
     */
    public static CheckReport check(List<Op> requests, Map<String, Map<String, Stored>> nodes) {
        List<Op> ops = requests.stream().filter(Op::isWrite).toList();
        List<Op> acked = ops.stream().filter(Op::acked).toList();
        Map<String, List<String>> lost = new TreeMap<>();
        Map<String, List<String>> wrongBody = new TreeMap<>();
        Set<String> duplicates = new TreeSet<>();
        nodes.forEach((node, objects) -> {
            List<String> missing = new ArrayList<>();
            List<String> wrong = new ArrayList<>();
            for (Op op : acked) {
                Stored stored = objects.get(op.id());
                if (stored == null) {
                    missing.add(op.id());
                } else if (!stored.etag().equals(Bodies.tag(op.body()))) {
                    wrong.add(op.id());
                }
            }
            lost.put(node, missing);
            wrongBody.put(node, wrong);
            for (Op op : ops) {
                Stored stored = objects.get(op.id());
                if (stored != null && stored.version() > 1) {
                    duplicates.add(op.id() + " (version " + stored.version() + " on " + node + ")");
                }
            }
        });
        for (Op op : ops) {
            if (op.createOnly() && op.status() == 412) {
                duplicates.add(op.id() + " (create-only write answered 412)");
            }
        }
        Map<String, Long> failures = new TreeMap<>(); // every failed attempt, retried or not
        ops.stream().filter(op -> !op.acked()).forEach(op -> failures.merge(op.outcome(), 1L, Long::sum));
        return new CheckReport(acked.size(), lost, wrongBody, List.copyOf(duplicates), epochConflicts(acked),
                staleAcks(acked), failures);
    }

    static Map<Long, Set<String>> epochConflicts(List<Op> acked) {
        Map<Long, Set<String>> nodesByEpoch = new TreeMap<>();
        for (Op op : acked) {
            nodesByEpoch.computeIfAbsent(op.epoch(), e -> new TreeSet<>()).add(String.valueOf(op.node()));
        }
        Map<Long, Set<String>> conflicts = new LinkedHashMap<>();
        nodesByEpoch.forEach((epoch, served) -> {
            if (served.size() > 1) {
                conflicts.put(epoch, served);
            }
        });
        return conflicts;
    }

    /** Acks whose epoch is below the highest epoch among acks that had completed before they were sent. */
    static List<String> staleAcks(List<Op> acked) {
        List<Op> byEnd = acked.stream().sorted(Comparator.comparingLong(Op::endNanos)).toList();
        List<Op> byStart = acked.stream().sorted(Comparator.comparingLong(Op::startNanos)).toList();
        List<String> stale = new ArrayList<>();
        long highestSeen = Long.MIN_VALUE;
        int next = 0;
        for (Op op : byStart) {
            while (next < byEnd.size() && byEnd.get(next).endNanos() < op.startNanos()) {
                highestSeen = Math.max(highestSeen, byEnd.get(next).epoch());
                next++;
            }
            if (op.epoch() < highestSeen) {
                stale.add(op.id() + " (epoch " + op.epoch() + " on " + op.node() + " after epoch " + highestSeen + ")");
            }
        }
        return stale;
    }
}
