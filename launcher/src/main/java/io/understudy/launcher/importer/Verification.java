package io.understudy.launcher.importer;

import io.understudy.launcher.cli.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compares what the import loaded with what each node holds: rows per table, files and bytes per top-level
 * directory. Pure. A table the cluster does not replicate (excluded) is expected on the primary only.
 */
final class Verification {

    private Verification() {
    }

    /** Files and bytes. */
    record Tally(long files, long bytes) {
        static final Tally ZERO = new Tally(0, 0);

        Tally plus(long size) {
            return new Tally(files + 1, bytes + size);
        }

        @Override
        public String toString() {
            return files + " / " + Verification.bytes(bytes);
        }
    }

    /** What one node holds: rows per table, files per directory (only the files written on its disk). */
    record Census(Map<String, Long> rows, Map<String, Tally> dirs) {
    }

    /** @param census empty when the node could not be read; {@code error} then says why */
    record NodeCount(String nodeId, boolean primary, java.util.Optional<Census> census, String error) {
    }

    /**
     * @param matches every node holds exactly what was loaded
     * @param behind  per node that does not, what differs first, e.g. {@code b: app.t 1200 of 200000 rows}
     */
    record Report(boolean matches, String table, List<String> behind) {
    }

    static Report compare(Map<String, Long> rows, Set<String> replicated, Map<String, Tally> dirs, List<NodeCount> nodes) {
        List<String> headers = new ArrayList<>(List.of("What", "Loaded"));
        nodes.forEach(n -> headers.add(n.nodeId() + (n.primary() ? " (primary)" : "")));
        Table table = new Table("Import check", headers.toArray(String[]::new));
        List<String> behind = new ArrayList<>();
        boolean[] differs = new boolean[nodes.size()];
        rows.forEach((name, loaded) -> {
            List<Object> cells = new ArrayList<>(List.of(name + " rows", loaded));
            for (int i = 0; i < nodes.size(); i++) {
                NodeCount n = nodes.get(i);
                boolean expected = n.primary() || replicated.contains(name);
                Long held = n.census().map(c -> c.rows().get(name)).orElse(null);
                if (!expected) {
                    cells.add("not replicated");
                } else {
                    cells.add(mark(held, held != null && held.equals(loaded)));
                    if ((held == null || !held.equals(loaded)) && !differs[i] && n.census().isPresent()) {
                        differs[i] = true;
                        behind.add(n.nodeId() + ": " + name + " " + (held == null ? "missing" : held + " of " + loaded + " rows"));
                    }
                }
            }
            table.row(cells.toArray());
        });
        dirs.forEach((dir, loaded) -> {
            List<Object> cells = new ArrayList<>(List.of("files " + dir, loaded));
            for (int i = 0; i < nodes.size(); i++) {
                NodeCount n = nodes.get(i);
                Tally held = n.census().map(c -> c.dirs().getOrDefault(dir, Tally.ZERO)).orElse(null);
                cells.add(mark(held, loaded.equals(held)));
                if (!loaded.equals(held) && !differs[i] && held != null) {
                    differs[i] = true;
                    behind.add(n.nodeId() + ": files " + dir + " " + held + " of " + loaded);
                }
            }
            table.row(cells.toArray());
        });
        for (NodeCount n : nodes) {
            if (n.census().isEmpty()) {
                behind.add(n.nodeId() + ": " + n.error());
            }
        }
        return new Report(behind.isEmpty(), table.render(), List.copyOf(behind));
    }

    private static String mark(Object held, boolean same) {
        return held == null ? "?" : same ? held.toString() : held + " (differs)";
    }

    /** {@code 1536} → {@code 1.5 KB}; 1000-based megabytes, as the speed figures. */
    static String bytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
