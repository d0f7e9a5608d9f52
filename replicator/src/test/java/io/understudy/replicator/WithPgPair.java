package io.understudy.replicator;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base for replicator integration tests: one real source and one real target PostgreSQL for the
 * whole class, and a fresh data directory (offsets) per test.
 */
abstract class WithPgPair {

    static PgPair pg;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void startDatabases() throws Exception {
        pg = new PgPair();
    }

    @AfterAll
    static void stopDatabases() throws Exception {
        pg.close();
    }
}
