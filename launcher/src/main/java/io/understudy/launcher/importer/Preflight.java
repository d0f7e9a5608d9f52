package io.understudy.launcher.importer;

import io.understudy.cluster.Role;
import io.understudy.failoverswitch.admin.StatusReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Gathers the {@link ImportRules.Facts} from the switch's status, the source archive and the nodes' databases. */
final class Preflight {

    private Preflight() {
    }

    static ImportRules.Facts gather(StatusReport status, Map<String, NodeAccess> nodes, DumpArchive source,
                                    Optional<Path> files) throws SQLException, IOException {
        Map<String, String> members = new LinkedHashMap<>();
        List<String> snapshotting = new ArrayList<>();
        for (StatusReport.Member m : status.members()) {
            members.put(m.nodeId(), m.role().name());
            if (m.role() == Role.SECONDARY && "SNAPSHOTTING".equals(m.replication().state())) {
                snapshotting.add(m.nodeId());
            }
        }
        Optional<String> primary = Optional.ofNullable(status.primary()).filter(StatusReport.Primary::live)
                .map(StatusReport.Primary::nodeId);
        List<String> schemas = source.schemasAsked();
        Set<String> onTarget = Set.of();
        Set<String> captured = Set.of();
        boolean refusesNoKey = false;
        ImportRules.Files filesFacts = new ImportRules.Files(files.isPresent(), Optional.empty(), 0);
        Map<String, Set<String>> missingRoles = new LinkedHashMap<>();
        if (primary.isPresent() && nodes.containsKey(primary.get())) {
            NodeAccess target = nodes.get(primary.get());
            try (Connection c = target.connect()) {
                onTarget = existing(c, schemas);
                captured = captured(c, schemas);
                refusesNoKey = captureFunction(c, "no_primary_key()") && "refuse".equals(single(c,
                        "SELECT understudy.no_primary_key()"));
            }
            if (files.isPresent() && target.filesDir().isPresent()) {
                Path dir = target.filesDir().get();
                long count = Files.isDirectory(dir) ? Census.regularFiles(dir).size() : 0;
                filesFacts = new ImportRules.Files(true, Optional.of(dir.toString()), count);
            }
            for (String id : members.keySet()) {
                NodeAccess node = nodes.get(id);
                if (node != null && !source.owners().isEmpty()) {
                    try (Connection c = node.connect()) {
                        Set<String> missing = new HashSet<>(source.owners());
                        missing.removeAll(roles(c, source.owners()));
                        missingRoles.put(id, missing);
                    }
                }
            }
        }
        return new ImportRules.Facts(primary, members, nodes.keySet(), snapshotting, schemas, source.schemas(), onTarget,
                captured, refusesNoKey, missingRoles, filesFacts);
    }

    /** The tables the primary's scope replicates, of {@code tables} ({@code schema.table}). */
    static Set<String> replicated(Connection c, List<String> tables) throws SQLException {
        Set<String> in = new HashSet<>();
        if (!captureFunction(c, "table_in_scope(text,text)")) {
            return in;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT understudy.table_in_scope(?, ?)")) {
            for (String table : tables) {
                String[] parts = table.split("\\.", 2);
                ps.setString(1, parts[0]);
                ps.setString(2, parts[1]);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        in.add(table);
                    }
                }
            }
        }
        return in;
    }

    private static Set<String> existing(Connection c, List<String> schemas) throws SQLException {
        return names(c, "SELECT nspname FROM pg_namespace WHERE nspname = ANY (?)", schemas);
    }

    private static Set<String> roles(Connection c, Set<String> roles) throws SQLException {
        return names(c, "SELECT rolname FROM pg_roles WHERE rolname = ANY (?)", List.copyOf(roles));
    }

    /** Schemas the capture trigger records schema changes of: installed by the node on its promotion. */
    private static Set<String> captured(Connection c, List<String> schemas) throws SQLException {
        if (!captureFunction(c, "captured_schema(text)")) {
            return Set.of();
        }
        return names(c, "SELECT s FROM unnest(?::text[]) s WHERE understudy.captured_schema(s)", schemas);
    }

    private static boolean captureFunction(Connection c, String signature) throws SQLException {
        return single(c, "SELECT to_regprocedure('understudy." + signature + "') IS NOT NULL").equals("t");
    }

    private static Set<String> names(Connection c, String sql, List<String> values) throws SQLException {
        Set<String> found = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Array array = c.createArrayOf("text", values.toArray());
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
