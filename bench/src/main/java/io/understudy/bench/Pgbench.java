package io.understudy.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's pgbench running single-row upserts into the node's own {@code objects} table (the statement the
 * node's {@code PUT} runs), as fast as its clients go: what the database itself commits, the write path's anchor.
 */
final class Pgbench {

    private static final Path BINARY = Path.of("/usr/lib/postgresql/15/bin/pgbench");
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final String SCRIPT = """
            \\set id random(1, 1000000)
            INSERT INTO objects (id, body, etag, version, written_epoch, updated_at) VALUES ('pgbench-' || :id, '\\x7b7d', 'e', 1, 1, now()) ON CONFLICT (id) DO UPDATE SET body = excluded.body, etag = excluded.etag, version = objects.version + 1, written_epoch = excluded.written_epoch, updated_at = now();
            """;

    private Pgbench() {
    }

    /** Transactions per second pgbench reached, or NaN when pgbench is not installed. */
    static double upserts(int port, int clients, Duration duration) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            System.err.println("pgbench not found at " + BINARY + " (apt-get install postgresql-client-15); row left out");
            return Double.NaN;
        }
        Path script = Files.createTempFile("understudy-pgbench-", ".sql");
        try {
            Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(List.of(BINARY.toString(), "-n", "-h", "127.0.0.1", "-p", Integer.toString(port),
                    "-U", "postgres", "-c", Integer.toString(clients), "-j", "2", "-T", Long.toString(duration.toSeconds()),
                    "-f", script.toString(), "postgres")).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("pgbench failed: " + out);
            }
            Matcher m = TPS.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("no tps in pgbench output: " + out);
            }
            return Double.parseDouble(m.group(1));
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
