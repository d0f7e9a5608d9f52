package io.understudy.replicator.apply;

import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Everything of a change that its statement's text depends on, given the target table's metadata: the kind of
 * statement, the columns it carries (in order) and which of them are unchanged TOAST values or, among the old
 * values that find a row of a table without primary key, NULL. Two changes of the same shape differ only in the values
 * bound.
 */
record ChangeShape(Change.Op kind, List<String> after, BitSet afterUnchanged, List<String> before, BitSet beforeNull,
                   BitSet beforeUnchanged) {

    private static final BitSet NONE = new BitSet();

    static ChangeShape of(TableMeta meta, Change change) {
        boolean keyed = !meta.primaryKey().isEmpty();
        Change.Op kind = switch (change.op()) {
            case READ, INSERT -> Change.Op.INSERT;
            case UPDATE -> keyed ? Change.Op.INSERT : Change.Op.UPDATE; // a keyed table upserts
            case DELETE, TRUNCATE -> change.op();
        };
        List<String> after = List.copyOf(change.after().keySet());
        BitSet afterUnchanged = bits(change.after(), Unchanged.TOAST);
        if (keyed) {
            return new ChangeShape(kind, after, afterUnchanged, List.of(), NONE, NONE);
        }
        return new ChangeShape(kind, after, afterUnchanged, List.copyOf(change.before().keySet()), bits(change.before(), null),
                bits(change.before(), Unchanged.TOAST));
    }

    private static BitSet bits(Map<String, Object> row, Object marker) {
        BitSet bits = null;
        int i = 0;
        for (Object value : row.values()) {
            if (value == marker) {
                if (bits == null) {
                    bits = new BitSet();
                }
                bits.set(i);
            }
            i++;
        }
        return bits == null ? NONE : bits;
    }
}
