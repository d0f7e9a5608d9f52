package io.understudy.node.duties;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Which {@code /history} entries the primary deletes. Pure. */
public final class RetentionRules {

    /** ZooKeeper's sequential suffix: ten digits. */
    private static final Pattern ENTRY = Pattern.compile("event-(\\d{10,})");

    private RetentionRules() {
    }

    /**
     * The oldest history entries beyond the newest {@code keep}, oldest first. Order is ZooKeeper's sequence
     * number (creation order in the cluster), not wall-clock time; children that are not history entries are
     * neither counted nor deleted.
     */
    public static List<String> historyToDelete(List<String> children, int keep) {
        List<String> entries = new ArrayList<>();
        for (String child : children) {
            if (ENTRY.matcher(child).matches()) {
                entries.add(child);
            }
        }
        if (entries.size() <= keep) {
            return List.of();
        }
        entries.sort(Comparator.comparingLong(RetentionRules::sequence));
        return List.copyOf(entries.subList(0, entries.size() - keep));
    }

    private static long sequence(String entry) {
        Matcher m = ENTRY.matcher(entry);
        if (!m.matches()) {
            throw new IllegalArgumentException(entry);
        }
        return Long.parseLong(m.group(1));
    }
}
