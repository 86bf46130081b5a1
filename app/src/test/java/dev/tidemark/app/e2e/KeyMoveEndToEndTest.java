package dev.tidemark.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.StoreView;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.runtime.ServerRuntime;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, reproduction 2, end to end: a primary-key change of a row whose large column is stored
 * out of line (TOAST) and not changed. Real PostgreSQL, real capture, the real hub, real SQLite
 * clients: the moved entity keeps the column and equals the source row, live and when a new client
 * catches up from the change log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyMoveEndToEndTest {

    private static final String SECRET = "key-move-end-to-end-secret-of-at-least-32-bytes";
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final List<String> TABLES = List.of("items", "lines");
    /** 6,400 characters: over 2 kB, stored out of line under STORAGE EXTERNAL. */
    private static final String BIG_NOTE = "(SELECT string_agg(md5(i::text || '%s'), '') FROM generate_series(1, 200) i)";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;

    private EmbeddedSource postgres;
    private ServerRuntime server;
    private final TokenSigner tokens = new TokenSigner(SECRET, Clock.systemUTC());

    @BeforeAll
    void start() throws SQLException {
        postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("pg")));
        sql("CREATE TABLE items (id int PRIMARY KEY, grp text NOT NULL, note text)",
                "ALTER TABLE items ALTER COLUMN note SET STORAGE EXTERNAL",
                "CREATE TABLE lines (region text, id int, qty int NOT NULL, note text, PRIMARY KEY (region, id))",
                "ALTER TABLE lines ALTER COLUMN note SET STORAGE EXTERNAL");
        SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(),
                HubConfig.builder().build(), AuthConfig.withSecret(SECRET));
        server = ServerRuntime.start(new ServerRuntime.Settings(postgres.settings(),
                "postgres", Optional.empty(),
                CaptureSettings.builder().tables(TABLES).heartbeatInterval(Duration.ofSeconds(30)).build(),
                sync, new SimpleMeterRegistry(), RetentionPolicy.defaults(), Duration.ofHours(1)));
    }

    @AfterAll
    void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    @Test
    @DisplayName("key changes with an unchanged TOASTed column reach SQLite clients whole, live and catching up")
    void keyChangesKeepToastedColumns() throws Exception {
        try (TidemarkClient live = client("move-live").build().start()) {
            sql("INSERT INTO items VALUES (1, 'a', " + bigNote("one") + "), (2, 'a', 'small')",
                    "INSERT INTO lines VALUES ('eu', 7, 1, " + bigNote("seven") + "), ('eu', 8, 1, NULL)");
            awaitConverged(live);
            assertThat(live.store().get("items", "1")).isPresent();

            sql("UPDATE items SET id = 10, grp = 'b' WHERE id = 1",
                    "UPDATE lines SET region = 'us', qty = 2 WHERE region = 'eu' AND id = 7");
            transaction("INSERT INTO items VALUES (20, 'c', " + bigNote("twenty") + ")",
                    "UPDATE items SET id = 21, grp = 'd' WHERE id = 20",
                    "UPDATE items SET id = 22 WHERE id = 21");
            awaitConverged(live);

            assertMatchesSource(live.store());
            assertThat(text(live.store(), "items", "10", "note")).hasSize(6400).isEqualTo(sourceNote("items", "id = 10"));
            assertThat(text(live.store(), "items", "22", "note")).hasSize(6400).isEqualTo(sourceNote("items", "id = 22"));
            assertThat(text(live.store(), "lines", "[\"us\",7]", "note")).hasSize(6400)
                    .isEqualTo(sourceNote("lines", "region = 'us' AND id = 7"));
            assertThat(live.store().get("items", "1")).isEmpty();
            assertThat(live.store().get("lines", "[\"eu\",7]")).isEmpty();
        }

        List<LoggedChange> log = server.changeLog().read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(), 10_000);
        assertThat(log).filteredOn(c -> c.change().type() == ChangeType.MOVE)
                .extracting(c -> c.change().entityType() + " " + c.change().fromId() + " -> " + c.change().entityId())
                .containsExactly("items 1 -> 10", "lines [\"eu\",7] -> [\"us\",7]", "items 20 -> 21", "items 21 -> 22");
        assertThat(log).filteredOn(c -> c.change().type() == ChangeType.MOVE)
                .allSatisfy(c -> assertThat(c.change().data()).as("the unchanged note is not resent").doesNotContain("note"));

        // A client that starts later rebuilds the same state from the change log alone.
        try (TidemarkClient late = client("move-late").build().start()) {
            awaitConverged(late);
            assertMatchesSource(late.store());
        }
    }

    private TidemarkClient.Builder client(String clientId) {
        return TidemarkClient.builder()
                .serverUrl("ws://127.0.0.1:" + server.port() + "/sync")
                .clientId(clientId)
                .token(tokens.mint(clientId, Set.of("*"), Duration.ofHours(1)))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .store("sqlite", Map.of("path", directory.resolve(clientId + ".db").toString()));
    }

    private static String bigNote(String seed) {
        return BIG_NOTE.formatted(seed);
    }

    private void awaitConverged(TidemarkClient client) throws SQLException {
        Lsn target;
        try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            target = Lsn.parse(row.getString(1));
        }
        server.capture().heartbeatNow();
        await().atMost(CONVERGE).until(() -> !server.changeLog().state().orElseThrow().capturePosition().isBefore(target));
        Lsn captured = server.changeLog().state().orElseThrow().capturePosition();
        await().atMost(CONVERGE).until(() -> !client.status().committedLsn().isBefore(captured));
    }

    /** Every source row equals its entity, column by column, and the store holds no other entity. */
    private void assertMatchesSource(StoreView store) throws SQLException, IOException {
        Map<String, String> ids = Map.of("items", "id::text", "lines", "json_build_array(region, id)::text");
        for (String table : TABLES) {
            Map<String, JsonNode> source = new TreeMap<>();
            try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(
                            "SELECT " + ids.get(table) + ", row_to_json(t)::text FROM " + table + " t")) {
                while (rows.next()) {
                    source.put(rows.getString(1).replace(", ", ","), JSON.readTree(rows.getString(2)));
                }
            }
            Map<String, JsonNode> stored = new TreeMap<>();
            store.forEach(table, (id, data) -> {
                try {
                    stored.put(id, JSON.readTree(data));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(differences(table, source, stored)).as("differences between the store and the source").isEmpty();
            assertThat(stored).as("entities of %s", table).isEqualTo(source);
        }
    }

    /** Per entity, what differs, naming members rather than printing 6 kB values. */
    private static List<String> differences(String table, Map<String, JsonNode> source, Map<String, JsonNode> stored) {
        List<String> differences = new ArrayList<>();
        Set<String> ids = new TreeSet<>(source.keySet());
        ids.addAll(stored.keySet());
        for (String id : ids) {
            JsonNode row = source.get(id);
            JsonNode entity = stored.get(id);
            if (row == null || entity == null) {
                differences.add(table + " " + id + (row == null ? ": in the store only" : ": missing from the store"));
                continue;
            }
            Set<String> members = new TreeSet<>();
            row.fieldNames().forEachRemaining(members::add);
            entity.fieldNames().forEachRemaining(members::add);
            for (String member : members) {
                if (!row.has(member) || !entity.has(member)) {
                    differences.add(table + " " + id + ": member " + member
                            + (row.has(member) ? " missing from the store" : " only in the store"));
                } else if (!row.get(member).equals(entity.get(member))) {
                    differences.add(table + " " + id + ": member " + member + " differs");
                }
            }
        }
        return differences;
    }

    private static String text(StoreView store, String entityType, String entityId, String member) throws IOException {
        JsonNode entity = JSON.readTree(store.get(entityType, entityId).orElseThrow());
        JsonNode value = entity.get(member);
        assertThat(value).as("%s %s has member %s", entityType, entityId, member).isNotNull();
        return value.asText();
    }

    private String sourceNote(String table, String where) throws SQLException {
        try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT note FROM " + table + " WHERE " + where)) {
            assertThat(row.next()).as("source row of %s where %s", table, where).isTrue();
            return row.getString(1);
        }
    }

    private void sql(String... statements) throws SQLException {
        try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private void transaction(String... statements) throws SQLException {
        try (Connection connection = postgres.settings().connect()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String sql : statements) {
                    statement.execute(sql);
                }
            }
            connection.commit();
        }
    }
}
