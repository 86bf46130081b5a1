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
import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.runtime.ServerRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, the subscription switch, end to end: a SQLite client that subscribed to a list of entity types and
 * then subscribes to every type gets a snapshot of each type it did not hold, without losing or re-applying
 * anything of the types it held. Real PostgreSQL, real capture, the real hub.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscriptionSwitchEndToEndTest {

    private static final String SECRET = "subscription-switch-secret-of-at-least-32-bytes";
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final List<String> TABLES = List.of("items", "notes");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;

    private EmbeddedSource postgres;
    private ServerRuntime server;
    private final TokenSigner tokens = new TokenSigner(SECRET, Clock.systemUTC());

    @BeforeAll
    void start() throws SQLException {
        postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("pg")));
        sql("CREATE TABLE items (id int PRIMARY KEY, version int NOT NULL)",
                "CREATE TABLE notes (id int PRIMARY KEY, body text)");
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
    @DisplayName("a client that subscribed to items, then to every type, holds every note written before the switch")
    void listThenAllSnapshotsTheTypesNotHeld() throws Exception {
        sql("INSERT INTO items SELECT g, 1 FROM generate_series(1, 20) g",
                "INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 30) g");
        try (TidemarkClient client = client("switcher").subscriptions(List.of("items")).build().start()) {
            sql("UPDATE items SET version = 2 WHERE id <= 10", "UPDATE notes SET body = 'edited' WHERE id <= 5");
            awaitConverged(client);
            assertThat(entities(client.store(), "items")).isEqualTo(sourceRows("items"));
            assertThat(entities(client.store(), "notes")).as("notes are not subscribed").isEmpty();
        }
        sql("UPDATE items SET version = 3 WHERE id <= 5", "DELETE FROM notes WHERE id = 30",
                "INSERT INTO notes VALUES (31, 'after the switch')");

        try (TidemarkClient client = client("switcher").build().start()) {
            // Items change while the snapshot of notes is taken and sent: applied once each, in order.
            sql("UPDATE items SET version = 4 WHERE id = 1", "UPDATE notes SET body = 'during' WHERE id = 2");
            awaitConverged(client);
            for (String table : TABLES) {
                assertThat(entities(client.store(), table)).as("%s equals the source", table)
                        .isEqualTo(sourceRows(table));
            }
        }

        // Next start: the store holds every type now, and goes on without another snapshot.
        sql("UPDATE notes SET body = 'later' WHERE id = 3");
        try (TidemarkClient client = client("switcher").build().start()) {
            awaitConverged(client);
            for (String table : TABLES) {
                assertThat(entities(client.store(), table)).as("%s equals the source", table)
                        .isEqualTo(sourceRows(table));
            }
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

    private Map<String, JsonNode> sourceRows(String table) throws SQLException, IOException {
        Map<String, JsonNode> rows = new TreeMap<>();
        try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT id::text, row_to_json(t)::text FROM " + table + " t")) {
            while (result.next()) {
                rows.put(result.getString(1), JSON.readTree(result.getString(2)));
            }
        }
        return rows;
    }

    private static Map<String, JsonNode> entities(StoreView store, String entityType) {
        Map<String, JsonNode> entities = new TreeMap<>();
        store.forEach(entityType, (id, data) -> {
            try {
                entities.put(id, JSON.readTree(data));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return entities;
    }

    private void sql(String... statements) throws SQLException {
        try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
