package io.understudy.node.rejoin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.understudy.node.store.Database;
import io.understudy.replicator.apply.TableName;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

/**
 * Every row of the application tables, from one consistent snapshot, streamed into a quarantine as
 * {@code "export": {"public.objects": [row, ...], ...}} (rows as PostgreSQL's {@code row_to_json}: bytea as
 * {@code \x} hex). What an old primary keeps when it cannot tell which of its transactions the new primary lacks.
 */
final class FullExport {

    private static final int FETCH_ROWS = 200;

    private FullExport() {
    }

    /** Writes the export field and returns how many rows it holds. */
    static long write(JsonGenerator json, Database db, List<String> tables) throws Exception {
        json.writeObjectFieldStart("export");
        long rows = db.inSnapshot(c -> {
            long n = 0;
            for (String table : tables) {
                json.writeArrayFieldStart(table);
                // Table names come from the node's catalog and configuration, quoted; never from input.
                try (PreparedStatement ps = c.prepareStatement("SELECT row_to_json(t)::text FROM " + TableName.parse(table).sql() + " t")) {
                    ps.setFetchSize(FETCH_ROWS);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            json.writeRawValue(rs.getString(1));
                            n++;
                        }
                    }
                }
                json.writeEndArray();
            }
            return n;
        });
        json.writeEndObject();
        return rows;
    }
}
