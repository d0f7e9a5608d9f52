package io.understudy.launcher.importer;

import io.understudy.launcher.importer.Verification.Tally;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Counts what a node holds, and what a files directory holds. */
final class Census {

    /** {@code undefined_table}: a secondary that has not replayed the import's {@code CREATE TABLE} yet. */
    private static final String UNDEFINED_TABLE = "42P01";

    private Census() {
    }

    /**
     * Rows of each of {@code tables} ({@code schema.table}; a table the node does not have yet is left out) and the
     * files of its {@code app.filesDir} per top-level directory: those it wrote on its disk (its own record) at the
     * version the replicated table names, so a secondary's count grows only as files land in its directory.
     */
    static Verification.Census of(Connection c, List<String> tables) throws SQLException {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (String table : tables) {
            String[] parts = table.split("\\.", 2);
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM " + quote(parts[0]) + "." + quote(parts[1]))) {
                rs.next();
                rows.put(table, rs.getLong(1));
            } catch (SQLException e) {
                if (!UNDEFINED_TABLE.equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
        Map<String, Tally> dirs = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT CASE WHEN strpos(f.path, '/') > 0 THEN split_part(f.path, '/', 1) || '/' ELSE './' END, count(*),
                       sum(f.size)
                  FROM understudy.app_files f JOIN understudy.app_files_local l ON l.path = f.path AND l.version = f.version
                 WHERE NOT f.deleted GROUP BY 1""")) {
            while (rs.next()) {
                dirs.put(rs.getString(1), new Tally(rs.getLong(2), rs.getLong(3)));
            }
        }
        return new Verification.Census(rows, dirs);
    }

    /** The regular files under {@code root} per top-level directory, as {@link #of} groups them. */
    static Map<String, Tally> files(Path root) throws IOException {
        Map<String, Tally> dirs = new TreeMap<>();
        for (Path file : regularFiles(root)) {
            Path rel = root.relativize(file);
            String dir = rel.getNameCount() > 1 ? rel.getName(0) + "/" : "./";
            dirs.merge(dir, Tally.ZERO.plus(Files.size(file)), (a, b) -> new Tally(a.files() + b.files(), a.bytes() + b.bytes()));
        }
        return dirs;
    }

    /**
     * The regular files under {@code root}, sorted; symbolic links, special files and Understudy's own
     * {@code .understudy-*} names are not replicated and left out.
     */
    static List<Path> regularFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !p.getFileName().toString().startsWith(".understudy-"))
                    .sorted().toList();
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
