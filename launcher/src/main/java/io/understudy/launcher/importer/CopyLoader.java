package io.understudy.launcher.importer;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Loads the data section of a dump (pg_restore's SQL: {@code COPY t (cols) FROM stdin;}, one row per line in COPY's
 * text format, {@code \.}; then {@code setval} of the sequences) into the primary's database, in transactions of at
 * most {@code batchRows} rows and about {@code batchBytes} bytes each. Bounded transactions are what a secondary can
 * apply: the replicator holds a whole source transaction in memory before it applies it atomically. Text format
 * escapes newlines inside values, so a line is a row and a batch never splits one.
 */
final class CopyLoader {

    private static final Pattern COPY = Pattern.compile("^COPY (\\S+) \\(.*\\) FROM stdin;$");
    private static final Pattern ENCODING = Pattern.compile("^SET client_encoding = '([^']*)';$");

    /** Rows and bytes loaded so far, per table. */
    record Loaded(Map<String, Long> rows, long totalRows, long totalBytes) {
    }

    private final Connection target;
    private final int batchRows;
    private final int batchBytes;
    private final Consumer<Loaded> progress;
    private final Map<String, Long> rows = new LinkedHashMap<>();
    private long totalRows;
    private long totalBytes;

    /** @param progress called after every committed batch, on the calling thread */
    CopyLoader(Connection target, int batchRows, int batchBytes, Consumer<Loaded> progress) {
        this.target = target;
        this.batchRows = batchRows;
        this.batchBytes = batchBytes;
        this.progress = progress;
    }

    /** Reads {@code script} to its end and loads it; autocommit, so each batch is its own transaction. */
    Loaded load(Reader script) throws IOException, SQLException {
        target.setAutoCommit(true);
        CopyManager copy = new CopyManager(target.unwrap(BaseConnection.class));
        BufferedReader in = new BufferedReader(script, 1 << 16);
        String line;
        while ((line = in.readLine()) != null) {
            Matcher encoding = ENCODING.matcher(line);
            Matcher block = COPY.matcher(line);
            if (encoding.matches() && !encoding.group(1).equals("UTF8") && !encoding.group(1).equals("SQL_ASCII")) {
                throw new IOException("the dump's data is in encoding " + encoding.group(1)
                        + "; make the dump with pg_dump --encoding=UTF8");
            } else if (block.matches()) {
                copyBlock(copy, line, block.group(1), in);
            } else if (line.startsWith("SELECT pg_catalog.setval(")) {
                try (Statement st = target.createStatement()) {
                    st.execute(line);
                }
            }
            // other lines: comments, SET (the session's own defaults serve), psql's \restrict guards
        }
        return snapshot();
    }

    private void copyBlock(CopyManager copy, String statement, String table, BufferedReader in) throws IOException, SQLException {
        rows.putIfAbsent(table, 0L);
        ByteArrayOutputStream batch = new ByteArrayOutputStream(Math.min(batchBytes, 1 << 20) + 1024);
        int inBatch = 0;
        String line;
        while ((line = in.readLine()) != null && !line.equals("\\.")) {
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            batch.write(bytes);
            inBatch++;
            if (inBatch >= batchRows || batch.size() >= batchBytes) {
                commit(copy, statement, table, batch, inBatch);
                inBatch = 0;
            }
        }
        if (line == null) {
            throw new IOException("the data of " + table + " ends without its end marker: the dump is truncated");
        }
        if (inBatch > 0) {
            commit(copy, statement, table, batch, inBatch);
        }
    }

    private void commit(CopyManager copy, String statement, String table, ByteArrayOutputStream batch, int count)
            throws IOException, SQLException {
        long copied = copy.copyIn(statement.substring(0, statement.length() - 1), new ByteArrayInputStream(batch.toByteArray()));
        if (copied != count) {
            throw new IOException("COPY into " + table + " took " + copied + " rows of a batch of " + count);
        }
        rows.merge(table, (long) count, Long::sum);
        totalRows += count;
        totalBytes += batch.size();
        batch.reset();
        progress.accept(snapshot());
    }

    private Loaded snapshot() {
        return new Loaded(Map.copyOf(rows), totalRows, totalBytes);
    }
}
