package io.understudy.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks the history of the test application's writes ({@link AppWrites}) against what each node holds afterwards:
 * its rows, read from the node's database, and its files, read from the node's copy of the directory. Pure. The rules:
 * <ul>
 *   <li>every acknowledged row is on every node, once, under the id its answer named; every acknowledged file is on
 *       every node with exactly its content;</li>
 *   <li>no write applied twice: a body in two rows of a node, or one write answered with two ids;</li>
 *   <li>no id handed to two acknowledged writes (a new primary's sequence must start past the old one's ids);</li>
 *   <li>no half file: every file in a node's directory is a whole file of the run (temp files, partial content and
 *       strangers count), except files of writes still in flight;</li>
 *   <li>no epoch served by two nodes, no acknowledgement in a superseded epoch (as {@link HistoryChecker}).</li>
 * </ul>
 */
public final class AppChecker {

    /**
     * What one node holds of the run.
     *
     * @param rowIdsByBody the ids of the rows holding each body
     * @param fileTags     per file name in the directory, its content's {@link Bodies#tag}
     */
    public record Holdings(Map<String, List<Long>> rowIdsByBody, Map<String, String> fileTags) {
    }

    private AppChecker() {
    }

    /**
     * @param requests    every request of the writes being checked (any order); reads are ignored
     * @param answeredIds per write id, the row ids its acknowledged attempts were answered with
     * @param nodes       per node id, what it holds
     * @param prefix      the run's id prefix
     * @param pendingFrom the first write that may still be in flight: its files and later ones are not judged whole or half
     */
    public static CheckReport check(List<Op> requests, Map<String, Set<Long>> answeredIds, Map<String, Holdings> nodes,
                                    String prefix, long pendingFrom) {
        List<Op> ops = requests.stream().filter(Op::isWrite).toList();
        List<Op> acked = ops.stream().filter(Op::acked).toList();
        Map<String, List<String>> lost = new TreeMap<>();
        Map<String, List<String>> wrong = new TreeMap<>();
        Map<String, List<String>> half = new TreeMap<>();
        Set<String> twice = new TreeSet<>();
        nodes.forEach((node, holds) -> {
            List<String> missing = new ArrayList<>();
            List<String> other = new ArrayList<>();
            for (Op op : acked) {
                String problem = AppWrites.isFile(op.seq()) ? fileProblem(op, holds) : rowProblem(op, holds, answeredIds);
                if (problem == null) {
                    continue;
                }
                (problem.isEmpty() ? missing : other).add(problem.isEmpty() ? op.id() : op.id() + " (" + problem + ")");
            }
            lost.put(node, missing);
            wrong.put(node, other);
            for (Op op : ops) {
                List<Long> rows = AppWrites.isFile(op.seq()) ? null : holds.rowIdsByBody().get(op.body());
                if (rows != null && rows.size() > 1) {
                    twice.add(op.id() + " (rows " + rows + " on " + node + ")");
                }
            }
            half.put(node, halfFiles(holds.fileTags(), prefix, pendingFrom));
        });
        answeredIds.forEach((id, rowIds) -> {
            if (rowIds.size() > 1) {
                twice.add(id + " (answered with ids " + rowIds + ")");
            }
        });
        Map<String, Long> failures = new TreeMap<>();
        ops.stream().filter(op -> !op.acked()).forEach(op -> failures.merge(op.outcome(), 1L, Long::sum));
        return new CheckReport(acked.size(), lost, wrong, List.copyOf(twice), HistoryChecker.epochConflicts(acked),
                HistoryChecker.staleAcks(acked), failures, duplicateIds(acked, answeredIds), half);
    }

    /** Null when the row is there once under its answered id; empty when it is missing; else what is wrong. */
    private static String rowProblem(Op op, Holdings holds, Map<String, Set<Long>> answeredIds) {
        List<Long> rows = holds.rowIdsByBody().get(op.body());
        if (rows == null || rows.isEmpty()) {
            return "";
        }
        Set<Long> answered = answeredIds.getOrDefault(op.id(), Set.of());
        return answered.containsAll(rows) ? null : "row id " + rows + ", answered " + answered;
    }

    private static String fileProblem(Op op, Holdings holds) {
        String tag = holds.fileTags().get(AppWrites.fileName(op.id()));
        if (tag == null) {
            return "";
        }
        return tag.equals(Bodies.tag(op.body())) ? null : "other content";
    }

    static List<String> halfFiles(Map<String, String> fileTags, String prefix, long pendingFrom) {
        List<String> out = new ArrayList<>();
        fileTags.forEach((name, tag) -> {
            var seq = AppWrites.seqOf(prefix, name);
            if (seq.isPresent() && seq.get() >= pendingFrom) {
                return;
            }
            boolean whole = seq.isPresent() && name.endsWith(AppWrites.FILE_SUFFIX)
                    && tag.equals(Bodies.tag(AppWrites.fileContent(name)));
            if (!whole) {
                out.add(name);
            }
        });
        out.sort(null);
        return out;
    }

    private static List<String> duplicateIds(List<Op> acked, Map<String, Set<Long>> answeredIds) {
        Map<Long, Set<String>> writesById = new TreeMap<>();
        acked.stream().filter(op -> !AppWrites.isFile(op.seq())).map(Op::id).distinct().forEach(id ->
                answeredIds.getOrDefault(id, Set.of()).forEach(rowId -> writesById.computeIfAbsent(rowId, k -> new TreeSet<>()).add(id)));
        List<String> out = new ArrayList<>();
        writesById.forEach((rowId, writes) -> {
            if (writes.size() > 1) {
                out.add("id " + rowId + " answered to " + writes);
            }
        });
        return out;
    }
}
