package dev.tidemark.store.postgres;

import dev.tidemark.store.tck.SyncStoreConformanceKit;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The whole conformance kit against PostgreSQL: every test gets a schema of its own. */
class PostgresStoreConformanceTest extends SyncStoreConformanceKit {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static TestDatabase database;

    @BeforeAll
    static void startDatabase() {
        database = TestDatabase.start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        database.close();
    }

    @Override
    protected String storeName() {
        return "postgres";
    }

    @Override
    protected Map<String, String> newStoreConfig(Path directory) {
        String schema = "tck_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
        return Map.of("jdbcUrl", database.jdbcUrl(), "schema", schema);
    }

    /** A small pool: the kit opens a store per test, and several tests open a second one. */
    @Override
    protected Map<String, String> testSettings() {
        return Map.of("poolSize", "3");
    }

    @Override
    protected boolean markWrittenByNewerVersion(Map<String, String> config) throws Exception {
        try (Connection connection = DriverManager.getConnection(config.get("jdbcUrl"));
                Statement statement = connection.createStatement()) {
            statement.execute(futureVersion(config.get("schema"), 1000));
        }
        return true;
    }

    /** The Flyway history row a newer Tidemark would have written for its migration {@code version}. */
    static String futureVersion(String schema, int version) {
        return "INSERT INTO " + schema + ".flyway_schema_history (installed_rank, version, description, type, script,"
                + " checksum, installed_by, execution_time, success) VALUES (" + version + ", '" + version
                + "', 'written by a newer Tidemark', 'SQL', 'V" + version + "__future.sql', 0, current_user, 0, true)";
    }
}
