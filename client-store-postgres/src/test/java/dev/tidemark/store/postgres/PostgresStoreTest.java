package dev.tidemark.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the conformance kit cannot see from outside: schema, migrations, session settings, lost connections. */
class PostgresStoreTest {

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

    private static String newSchema() {
        return "t_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }

    private static Map<String, String> config(String schema) {
        return Map.of("jdbcUrl", database.jdbcUrl(), "schema", schema);
    }

    private static Change update(String id, String json) {
        return Change.update("t", id, json, Instant.EPOCH);
    }

    private static <T> T query(String sql, Class<T> type) throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1, type);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Test
    void createsItsTablesInTheNamedSchemaAndRecordsTheMigration() throws SQLException {
        String schema = newSchema();
        SyncStores.open("postgres", config(schema)).close();
        SyncStores.open("postgres", config(schema)).close();

        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema + "'"
                + " AND table_name IN ('entity', 'sync_state', 'metadata', 'flyway_schema_history')", Long.class))
                .isEqualTo(4);
        assertThat(query("SELECT string_agg(version || ':' || description, ',' ORDER BY installed_rank) FROM "
                + schema + ".flyway_schema_history WHERE version IS NOT NULL AND success", String.class))
                .isEqualTo("1:entities sync state metadata");
    }

    @Test
    void upgradesAStoreWrittenBeforeFlywayKeepingItsRows() throws SQLException {
        String schema = newSchema();
        try (SyncStore store = SyncStores.open("postgres", config(schema))) {
            assertThat(store.committedLsn()).isEqualTo(Lsn.ZERO);
        }
        execute("INSERT INTO " + schema + ".metadata (key, value) VALUES ('kept', 'yes')");
        // Back to what the previous version left: its hand-kept schema_version, no Flyway history.
        execute("DROP TABLE " + schema + ".flyway_schema_history");
        execute("CREATE TABLE " + schema + ".schema_version (version integer PRIMARY KEY, description text NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT now())");
        execute("INSERT INTO " + schema + ".schema_version (version, description)"
                + " VALUES (1, 'entities, sync state, metadata')");

        SyncStores.open("postgres", config(schema)).close();

        assertThat(query("SELECT value FROM " + schema + ".metadata WHERE key = 'kept'", String.class)).isEqualTo("yes");
        assertThat(query("SELECT string_agg(version || ':' || type, ',' ORDER BY installed_rank) FROM " + schema
                + ".flyway_schema_history WHERE version IS NOT NULL", String.class)).isEqualTo("1:BASELINE");
    }

    @Test
    void refusesAStoreWrittenBeforeFlywayByANewerVersion() throws SQLException {
        String schema = newSchema();
        SyncStores.open("postgres", config(schema)).close();
        execute("DROP TABLE " + schema + ".flyway_schema_history");
        execute("CREATE TABLE " + schema + ".schema_version (version integer PRIMARY KEY, description text NOT NULL)");
        execute("INSERT INTO " + schema + ".schema_version (version, description) VALUES (1, 'v1'), (99, 'future')");

        assertThatThrownBy(() -> SyncStores.open("postgres", config(schema)))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INCOMPATIBLE_SCHEMA))
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("upgrade Tidemark");
        assertThat(query("SELECT to_regclass('" + schema + ".flyway_schema_history') IS NULL", Boolean.class)).isTrue();
    }

    @Test
    void clientsOpeningOneNewSchemaAtOnceDoNotRace() throws Exception {
        String schema = newSchema();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Lsn>> opens = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<Lsn> open = () -> {
                    try (SyncStore store = SyncStores.open("postgres", config(schema))) {
                        return store.committedLsn();
                    }
                };
                opens.add(threads.submit(open));
            }
            for (Future<Lsn> open : opens) {
                assertThat(open.get(60, TimeUnit.SECONDS)).isEqualTo(Lsn.ZERO);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(query("SELECT count(*) FROM " + schema + ".flyway_schema_history WHERE version IS NOT NULL",
                Long.class)).isEqualTo(1);
    }

    @Test
    void refusesAStoreWrittenByANewerVersion() throws SQLException {
        String schema = newSchema();
        SyncStores.open("postgres", config(schema)).close();
        execute(PostgresStoreConformanceTest.futureVersion(schema, 99));

        assertThatThrownBy(() -> SyncStores.open("postgres", config(schema)))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INCOMPATIBLE_SCHEMA))
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("upgrade Tidemark");
    }

    @Test
    void anUnreachableDatabaseFailsToOpenWithAClearMessage() {
        assertThatThrownBy(() -> SyncStores.open("postgres", Map.of("jdbcUrl", "jdbc:postgresql://127.0.0.1:1/none")))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.UNAVAILABLE))
                .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/none")
                .hasMessageContaining("check jdbcUrl, user, password");
    }

    @Test
    void fullDurabilityRaisesAServerThatDoesNotSyncCommits() throws SQLException {
        String url = database.jdbcUrl() + (database.jdbcUrl().contains("?") ? "&" : "?") + "options=-c%20synchronous_commit%3Doff";
        assertThat(synchronousCommit(url, Durability.FULL)).isEqualTo("on");
        assertThat(synchronousCommit(url, Durability.NORMAL)).isEqualTo("off");
        assertThat(synchronousCommit(database.jdbcUrl(), Durability.NORMAL)).isEqualTo("off");
    }

    private static String synchronousCommit(String url, Durability durability) throws SQLException {
        PostgresStoreConfig config = PostgresStoreConfig.from(Map.of("jdbcUrl", url, "durability", durability.name()));
        try (HikariDataSource pool = new HikariDataSource(PostgresStore.poolConfig(config));
                Connection connection = pool.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aConnectionLostInTheMiddleOfABatchChangesNothingAndTheNextApplyWorks() throws SQLException {
        String schema = newSchema();
        String victimUrl = database.jdbcUrl() + (database.jdbcUrl().contains("?") ? "&" : "?")
                + "ApplicationName=tidemark-victim-" + schema;
        try (SyncStore store = SyncStores.open("postgres", Map.of("jdbcUrl", victimUrl, "schema", schema))) {
            store.apply(new ChangeBatch("b1", Lsn.ZERO, Lsn.of(16), List.of(update("1", "{\"v\":1}"))));
            List<Change> changes = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                changes.add(update("n" + i, "{\"i\":" + i + "}"));
            }
            int[] pulled = {0};
            ChangeSource cutting = () -> {
                if (pulled[0] == 2500) {
                    terminateBackends("tidemark-victim-" + schema);
                }
                return pulled[0] < changes.size() ? changes.get(pulled[0]++) : null;
            };

            assertThatThrownBy(() -> store.apply(new BatchHeader("b2", Lsn.of(16), Lsn.of(32)), cutting))
                    .isInstanceOfSatisfying(SyncStoreException.class,
                            e -> assertThat(e.code()).isEqualTo(StoreErrorCode.STORAGE_FAILURE));

            assertThat(store.committedLsn()).isEqualTo(Lsn.of(16));
            assertThat(store.count("t")).isEqualTo(1);
            assertThat(store.apply(new ChangeBatch("b2", Lsn.of(16), Lsn.of(32), changes)).applied()).isTrue();
            assertThat(store.count("t")).isEqualTo(3001);

            // the server drops every idle connection (a restart): the store carries on with fresh ones
            terminateBackends("tidemark-victim-" + schema);
            assertThat(store.committedLsn()).isEqualTo(Lsn.of(32));
            store.recordPending(Lsn.of(48));
            terminateBackends("tidemark-victim-" + schema);
            assertThat(store.apply(new ChangeBatch("b3", Lsn.of(32), Lsn.of(48), List.of(update("1", "{\"v\":3}"))))
                    .applied()).isTrue();
            assertThat(store.pendingLsn()).isEmpty();
        }
    }

    private static void terminateBackends(String applicationName) {
        try {
            String pids = query("SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE application_name = '"
                    + applicationName + "'", String.class);
            assertThat(pids).isNotNull();
            assertThat(query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid IN (" + pids + ")",
                    Long.class)).isPositive();
            // pg_terminate_backend only signals: wait until those backends are really gone, so no pooled
            // connection dies later, in the middle of what the test checks next.
            await().atMost(Duration.ofSeconds(30)).until(() -> query(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid IN (" + pids + ")", Long.class) == 0);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
