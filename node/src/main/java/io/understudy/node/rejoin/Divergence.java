package io.understudy.node.rejoin;

import io.understudy.replicator.capture.PeekedChange;
import io.understudy.replicator.capture.PeekedTransaction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure: which of the transactions an old primary's slot still holds the new primary never applied. The new primary
 * was promoted from position P, the commit position of the last of this node's transactions it applied; a transaction
 * that ends after P is divergent, unless it changed no replicated row. Transactions the slot no longer holds were
 * acknowledged by the new primary's stream, so were applied, so end at or before P.
 */
public record Divergence(long promotedFromPosition, List<PeekedTransaction> transactions) {

    /** Key columns of the application tables, for a per-object summary ops can read. */
    private static final Map<String, String> OBJECT_KEYS = Map.of(
            "public.objects", "id", "public.files", "path", "public.file_chunks", "path", "public.idempotency_keys", "key",
            "understudy.app_files", "path", "understudy.app_file_chunks", "version");
    /** Tables of file content: their changes are summarised as the content of the file, not one line per chunk. */
    private static final Set<String> CONTENT_TABLES = Set.of("public.file_chunks", "understudy.app_file_chunks");

    /** One application object a divergent change touched. */
    public record Touched(String kind, String key, String op) {
    }

    public Divergence {
        transactions = List.copyOf(transactions);
    }

    public static Divergence after(long promotedFromPosition, List<PeekedTransaction> held) {
        List<PeekedTransaction> divergent = held.stream()
                .filter(tx -> tx.commitPosition() > promotedFromPosition && !tx.changes().isEmpty()).toList();
        return new Divergence(promotedFromPosition, divergent);
    }

    public boolean none() {
        return transactions.isEmpty();
    }

    public int changes() {
        return transactions.stream().mapToInt(tx -> tx.changes().size()).sum();
    }

    /** Every application object touched, once per operation, in commit order (a file's chunks count as the file). */
    public List<Touched> touched() {
        Set<Touched> seen = new LinkedHashSet<>();
        for (PeekedTransaction tx : transactions) {
            for (PeekedChange change : tx.changes()) {
                String column = OBJECT_KEYS.get(change.table());
                String kind = switch (change.table()) {
                    case "public.objects" -> "object";
                    case "public.files", "public.file_chunks" -> "file";
                    case "public.idempotency_keys" -> "idempotency key";
                    case "understudy.app_files" -> "app file";
                    case "understudy.app_file_chunks" -> "app file version";
                    default -> change.table();
                };
                String key = change.op() == PeekedChange.Op.TRUNCATE ? "*"
                        : column == null ? String.valueOf(change.row()) : change.row().get(column);
                String op = CONTENT_TABLES.contains(change.table()) && change.op() != PeekedChange.Op.TRUNCATE
                        ? "CONTENT " + change.op() : change.op().name();
                seen.add(new Touched(kind, key, op));
            }
        }
        return new ArrayList<>(seen);
    }

    /** The transactions as JSON-ready maps: commit position, xid, commit time, and each change with its values. */
    public List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PeekedTransaction tx : transactions) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("commitLsn", io.understudy.cluster.Lsn.format(tx.commitPosition()));
            t.put("xid", tx.xid());
            t.put("commitTime", tx.commitTime().toString());
            List<Map<String, Object>> changes = new ArrayList<>();
            for (PeekedChange change : tx.changes()) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("op", change.op().name());
                c.put("table", change.table());
                if (!change.values().isEmpty()) {
                    c.put("values", change.values());
                }
                if (!change.oldValues().isEmpty()) {
                    c.put("key", change.oldValues());
                }
                changes.add(c);
            }
            t.put("changes", changes);
            out.add(t);
        }
        return out;
    }
}
