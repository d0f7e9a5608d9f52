package io.understudy.node.replication;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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

    /** Integer columns whose default calls the sequence (serial, nextval defaults) or that it is the identity of. */
    private static final String COLUMNS = """
            SELECT format('%I.%I', n.nspname, c.relname), format('%I', a.attname)
            FROM pg_depend d
            JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
            JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ?::regclass AND a.atttypid IN (20, 21, 23)
            UNION
            SELECT format('%I.%I', n.nspname, c.relname), format('%I', a.attname)
            FROM pg_depend d
            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE d.classid = 'pg_class'::regclass AND d.objid = ?::regclass AND d.deptype IN ('a', 'i')
              AND d.refobjsubid > 0 AND a.atttypid IN (20, 21, 23)""";

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
     * As new primary, before the gate opens: moves every sequence in {@code schemas} past what was used. In auto-commit:
     * {@code setval} is not undone by a rollback anyway, and a transaction spanning the reads would hold a transaction
     * id that the rejoin slot, created beside this (see {@code SourcePreparation}), waits for before it can start.
     */
    public void advance(List<String> schemas, long gap) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(true);
            List<String> advanced = new ArrayList<>();
            for (SequenceFloor.Seen seen : read(c, schemas)) {
                SequenceFloor.Verdict verdict = SequenceFloor.decide(seen, gap);
                if (verdict instanceof SequenceFloor.Verdict.Advance advance) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT setval(?::regclass, ?, true)")) {
                        ps.setString(1, seen.name());
                        ps.setLong(2, advance.value());
                        ps.execute();
                    }
                    advanced.add(advance.reason());
                } else {
                    log.debug("sequence {}", ((SequenceFloor.Verdict.Keep) verdict).reason());
                }
            }
            advanced.forEach(reason -> log.info("sequence {}", reason));
        }
    }

    private static List<SequenceFloor.Seen> read(Connection c, List<String> schemas) throws SQLException {
        List<SequenceFloor.Seen> out = new ArrayList<>();
        List<String[]> sequences = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SEQUENCES)) {
            Array array = c.createArrayOf("text", schemas.toArray());
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sequences.add(new String[] {rs.getString(8), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                            rs.getString(7)});
                }
            }
        }
        for (String[] s : sequences) {
            out.add(new SequenceFloor.Seen(s[0], toLong(s[1]), Long.parseLong(s[2]), Long.parseLong(s[3]), Long.parseLong(s[4]),
                    furthestInColumns(c, s[0], Long.parseLong(s[2]) > 0), toLong(s[5])));
        }
        return out;
    }

    private static Long furthestInColumns(Connection c, String sequence, boolean up) throws SQLException {
        Long furthest = null;
        List<String[]> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            ps.setString(1, sequence);
            ps.setString(2, sequence);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        for (String[] column : columns) {
            // Names come from the catalog, quoted by format('%I').
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + (up ? "max" : "min") + "(" + column[1]
                    + ")::bigint FROM " + column[0])) {
                rs.next();
                Long value = toLong(rs.getString(1));
                if (value != null && (furthest == null || (up ? value > furthest : value < furthest))) {
                    furthest = value;
                }
            }
        }
        return furthest;
    }

    private static Long toLong(String text) {
        return text == null ? null : Long.parseLong(text);
    }
}
