package io.understudy.node.replication;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's sequences across a failover: as primary, it records their values in the replicated
 * {@code understudy.sequence_marks}; as new primary, before its write gate opens, it moves each past every value
 * known to be used ({@link SequenceFloor}). Event thread only.
 */
public final class SequenceKeeper {

    private static final Logger log = LoggerFactory.getLogger(SequenceKeeper.class);

    private static final String MARK = """
            INSERT INTO understudy.sequence_marks AS m (sequence_schema, sequence_name, last_value)
            SELECT schemaname, sequencename, last_value FROM pg_sequences WHERE schemaname = ANY (?) AND last_value IS NOT NULL
            ON CONFLICT (sequence_schema, sequence_name) DO UPDATE SET last_value = EXCLUDED.last_value, marked_at = now()
            WHERE m.last_value IS DISTINCT FROM EXCLUDED.last_value""";

    private static final String SEQUENCES = """
            SELECT s.schemaname, s.sequencename, s.last_value, s.increment_by, s.min_value, s.max_value, m.last_value,
                   format('%I.%I', s.schemaname, s.sequencename)
            FROM pg_sequences s
            LEFT JOIN understudy.sequence_marks m ON m.sequence_schema = s.schemaname AND m.sequence_name = s.sequencename
            WHERE s.schemaname = ANY (?)""";

    /**
     * For every sequence in the schemas: the integer columns whose default calls it (serial, nextval defaults) or that
     * it is the identity of, one row per sequence and column.
     */
    private static final String COLUMNS = """
            SELECT format('%I.%I', sn.nspname, s.relname), format('%I.%I', n.nspname, c.relname), format('%I', a.attname)
            FROM pg_class s JOIN pg_namespace sn ON sn.oid = s.relnamespace
            JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = s.oid
            JOIN pg_attrdef ad ON ad.oid = d.objid
            JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE s.relkind = 'S' AND sn.nspname = ANY (?) AND a.atttypid IN (20, 21, 23)
            UNION
            SELECT format('%I.%I', sn.nspname, s.relname), format('%I.%I', n.nspname, c.relname), format('%I', a.attname)
            FROM pg_class s JOIN pg_namespace sn ON sn.oid = s.relnamespace
            JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
              AND d.refobjsubid > 0
            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE s.relkind = 'S' AND sn.nspname = ANY (?) AND a.atttypid IN (20, 21, 23)""";

    private final DataSource db;

    public SequenceKeeper(DataSource db) {
        this.db = db;
    }

    /** As primary: records the current value of every sequence in {@code schemas} that moved since its last mark. */
    public int mark(List<String> schemas) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(MARK)) {
            ps.setArray(1, c.createArrayOf("text", schemas.toArray()));
            return ps.executeUpdate();
        }
    }

    /**
     * As new primary, before the gate opens: moves every sequence in {@code schemas} past what was used. Four round
     * trips however many sequences and tables there are (the sequences, their columns, the columns' furthest values,
     * the moves), as each is paid while no write is acknowledged. In auto-commit: {@code setval} is not undone by a
     * rollback anyway, and a transaction spanning the reads would hold a transaction id that the rejoin slot, created
     * beside this (see {@code SourcePreparation}), waits for before it can start.
     */
    public void advance(List<String> schemas, long gap) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(true);
            List<Map.Entry<String, SequenceFloor.Verdict.Advance>> advances = new ArrayList<>(plan(c, schemas, gap).entrySet());
            if (advances.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT " + String.join(", ",
                    Collections.nCopies(advances.size(), "setval(?::regclass, ?, true)")))) {
                for (int i = 0; i < advances.size(); i++) {
                    ps.setString(2 * i + 1, advances.get(i).getKey());
                    ps.setLong(2 * i + 2, advances.get(i).getValue().value());
                }
                ps.execute();
            }
            advances.forEach(advance -> log.info("sequence {}", advance.getValue().reason()));
        }
    }

    /**
     * Reads and decides what {@link #advance} would move, and moves nothing: the same queries, so that a node's first
     * promotion does not pay for running them the first time. Returns how many sequences would move now.
     */
    public int preview(List<String> schemas, long gap) throws SQLException {
        try (Connection c = db.getConnection()) {
            return plan(c, schemas, gap).size();
        }
    }

    /** The sequences to move, by name, in the order read; those kept are logged at debug level. */
    private static Map<String, SequenceFloor.Verdict.Advance> plan(Connection c, List<String> schemas, long gap)
            throws SQLException {
        Map<String, SequenceFloor.Verdict.Advance> advances = new LinkedHashMap<>();
        for (SequenceFloor.Seen seen : read(c, schemas)) {
            SequenceFloor.Verdict verdict = SequenceFloor.decide(seen, gap);
            if (verdict instanceof SequenceFloor.Verdict.Advance advance) {
                advances.put(seen.name(), advance);
            } else {
                log.debug("sequence {}", ((SequenceFloor.Verdict.Keep) verdict).reason());
            }
        }
        return advances;
    }

    private static List<SequenceFloor.Seen> read(Connection c, List<String> schemas) throws SQLException {
        Array array = c.createArrayOf("text", schemas.toArray());
        List<String[]> sequences = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SEQUENCES)) {
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sequences.add(new String[] {rs.getString(8), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                            rs.getString(7)});
                }
            }
        }
        Map<String, Long> furthest = furthestInColumns(c, array, sequences.stream()
                .collect(Collectors.toMap(s -> s[0], s -> Long.parseLong(s[2]) > 0, (x, y) -> x)));
        List<SequenceFloor.Seen> out = new ArrayList<>();
        for (String[] s : sequences) {
            out.add(new SequenceFloor.Seen(s[0], toLong(s[1]), Long.parseLong(s[2]), Long.parseLong(s[3]), Long.parseLong(s[4]),
                    furthest.get(s[0]), toLong(s[5])));
        }
        return out;
    }

    /**
     * The highest value (lowest, for a descending sequence) in the columns each sequence fills, by sequence; absent
     * when it fills none or they are empty. One query for all columns.
     */
    private static Map<String, Long> furthestInColumns(Connection c, Array schemas, Map<String, Boolean> ascending)
            throws SQLException {
        List<String> owners = new ArrayList<>();
        List<String> aggregates = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            ps.setArray(1, schemas);
            ps.setArray(2, schemas);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String sequence = rs.getString(1);
                    // Names come from the catalog, quoted by format('%I').
                    String aggregate = ascending.getOrDefault(sequence, true) ? "max" : "min";
                    owners.add(sequence);
                    aggregates.add("(SELECT " + aggregate + "(" + rs.getString(3) + ")::bigint FROM " + rs.getString(2) + ")");
                }
            }
        }
        Map<String, Long> furthest = new HashMap<>();
        if (owners.isEmpty()) {
            return furthest;
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + String.join(", ", aggregates))) {
            rs.next();
            for (int i = 0; i < owners.size(); i++) {
                Long value = toLong(rs.getString(i + 1));
                boolean up = ascending.getOrDefault(owners.get(i), true);
                if (value != null) {
                    furthest.merge(owners.get(i), value, up ? Math::max : Math::min);
                }
            }
        }
        return furthest;
    }

    private static Long toLong(String text) {
        return text == null ? null : Long.parseLong(text);
    }
}
