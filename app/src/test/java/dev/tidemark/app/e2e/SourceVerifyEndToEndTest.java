package dev.tidemark.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.client.SourceVerification;
import dev.tidemark.client.StoreVerification;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.runtime.ServerRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verify against the source end to end: a real PostgreSQL with data before capture starts, the real server
 * (capture, change log, hub, WebSockets), a real client with a real SQLite store; divergence is planted in
 * the store's file behind the client's back.
 */
@DisplayName("Verify against the source, end to end")
class SourceVerifyEndToEndTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final String SECRET = "source-verify-test-secret-0123456789abcdef";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger SLOTS = new AtomicInteger();

    @TempDir
    Path directory;

    private SourceSettings source;
    private ServerRuntime server;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws SQLException {
        source = postgres.createDatabase();
        sql("CREATE TABLE items (id int PRIMARY KEY, grp int, v text)",
                "CREATE TABLE notes (id int PRIMARY KEY, body text, big text)",
                "ALTER TABLE notes ALTER COLUMN big SET STORAGE EXTERNAL",
                "INSERT INTO items SELECT g, g % 5, 'item ' || g FROM generate_series(1, 700) g",
                "INSERT INTO notes SELECT g, 'note ' || g, CASE WHEN g = 3 THEN repeat('toast ', 1000) END"
                        + " FROM generate_series(1, 40) g");
        int slot = SLOTS.incrementAndGet();
        SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(),
                HubConfig.builder().verifyInterval(Duration.ofMillis(10)).build(), AuthConfig.withSecret(SECRET));
        server = ServerRuntime.start(new ServerRuntime.Settings(source, "postgres", Optional.empty(),
                CaptureSettings.builder().slotName("verify_source_" + slot).publicationName("verify_source_" + slot)
                        .tables(List.of("items", "notes")).heartbeatInterval(Duration.ofMillis(300)).build(),
                sync, new SimpleMeterRegistry()));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("a clean client agrees with the source")
    void cleanClientAgrees() throws Exception {
        TidemarkClient client = client("clean", List.of(), "clean.db");
        List<String> progress = new CopyOnWriteArrayList<>();
        SourceVerification result = client.verifySource(List.of(), progress::add).get(60, TimeUnit.SECONDS);
        assertThat(result.outcome()).as(result.toString()).isEqualTo(SourceVerification.Outcome.AGREED);
        assertThat(result.repaired()).isEmpty();
        assertThat(progress).as("progress is shown").anyMatch(line -> line.contains("items: 700 entities here"));
    }

    @Test
    @DisplayName("divergence planted in the store (a row edited, deleted, added; a column value changed) is found,"
            + " exactly those entities are repaired, every other row keeps its SQLite rowid and data, and the"
            + " verify checksum stays the log's")
    void plantedDivergenceIsRepairedNarrowly() throws Exception {
        Path file = directory.resolve("planted.db");
        TidemarkClient client = client("planted", List.of(), "planted.db");
        try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            setData(sqlite, "items", "5", "{\"id\":5,\"grp\":0,\"v\":\"edited behind the client's back\"}");
            execute(sqlite, "DELETE FROM tidemark_entity WHERE entity_type = 'items' AND entity_id = '13'");
            execute(sqlite, "INSERT INTO tidemark_entity (entity_type, entity_id, data)"
                    + " VALUES ('items', '9999', '{\"id\":9999,\"grp\":1,\"v\":\"never in the source\"}')");
            changeMember(sqlite, "notes", "3", "body", "changed");
        }
        Map<Key, Row> before = rows(file);

        SourceVerification result = client.verifySource().get(60, TimeUnit.SECONDS);

        assertThat(result.outcome()).as(result.toString()).isEqualTo(SourceVerification.Outcome.REPAIRED);
        assertThat(result.repaired()).isEqualTo(Map.of("items", List.of("13", "5", "9999"), "notes", List.of("3")));
        Map<Key, Row> after = rows(file);
        Set<Key> repaired = Set.of(new Key("items", "13"), new Key("items", "5"), new Key("items", "9999"),
                new Key("notes", "3"));
        Map<Key, Row> untouchedBefore = new TreeMap<>(before);
        Map<Key, Row> untouchedAfter = new TreeMap<>(after);
        untouchedBefore.keySet().removeAll(repaired);
        untouchedAfter.keySet().removeAll(repaired);
        assertThat(untouchedAfter).as("every other row kept its SQLite rowid and its data").isEqualTo(untouchedBefore);
        assertThat(untouchedAfter).hasSize(700 + 40 - 3);
        assertThat(after).doesNotContainKey(new Key("items", "9999")).containsKey(new Key("items", "13"));
        assertThat(after.get(new Key("items", "5")).data()).contains("item 5").doesNotContain("behind");
        assertThat(after.get(new Key("notes", "3")).data()).contains("note 3").contains("toast toast");
        assertStoreEqualsSource(file, List.of("items", "notes"));

        assertThat(client.verify().get(30, TimeUnit.SECONDS).outcome()).as("the running checksum is still the log's")
                .isEqualTo(StoreVerification.Outcome.UP_TO_DATE);
        assertThat(client.verifySource().get(60, TimeUnit.SECONDS).outcome()).as("verified again")
                .isEqualTo(SourceVerification.Outcome.AGREED);
    }

    @Test
    @DisplayName("a client with a subscription list is verified and repaired in its types only, and may not verify"
            + " others")
    void subscribedClient() throws Exception {
        Path file = directory.resolve("subscribed.db");
        TidemarkClient client = client("subscribed", List.of("notes"), "subscribed.db");
        try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            changeMember(sqlite, "notes", "7", "body", "changed");
            execute(sqlite, "DELETE FROM tidemark_entity WHERE entity_type = 'notes' AND entity_id = '8'");
        }
        Map<Key, Row> before = rows(file);
        assertThat(before.keySet()).allMatch(key -> key.type().equals("notes"));

        SourceVerification refused = client.verifySource(List.of("items"), line -> { }).get(60, TimeUnit.SECONDS);
        assertThat(refused.outcome()).isEqualTo(SourceVerification.Outcome.FAILED);
        assertThat(refused.message()).contains("'items' is not one this client receives");
        assertThat(rows(file)).isEqualTo(before);

        SourceVerification result = client.verifySource().get(60, TimeUnit.SECONDS);
        assertThat(result.outcome()).as(result.toString()).isEqualTo(SourceVerification.Outcome.REPAIRED);
        assertThat(result.repaired()).isEqualTo(Map.of("notes", List.of("7", "8")));
        assertThat(rows(file).keySet()).allMatch(key -> key.type().equals("notes")).hasSize(40);
        assertStoreEqualsSource(file, List.of("notes"));
    }

    @Test
    @DisplayName("a verify under a live write load repairs the planted divergence and ends equal to the source")
    void verifyUnderLiveWrites() throws Exception {
        Path file = directory.resolve("live.db");
        TidemarkClient client = client("live", List.of(), "live.db");
        try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            changeMember(sqlite, "items", "600", "v", "changed");
            execute(sqlite, "DELETE FROM tidemark_entity WHERE entity_type = 'items' AND entity_id = '601'");
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        Thread writer = new Thread(() -> {
            int i = 0;
            try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
                while (writing.get()) {
                    i++;
                    statement.execute("UPDATE items SET v = 'load " + i + "' WHERE id = " + (1 + i % 500));
                    statement.execute("INSERT INTO items VALUES (" + (10_000 + i) + ", 1, 'new " + i + "')");
                    statement.execute("UPDATE notes SET body = 'note load " + i + "' WHERE id = " + (1 + i % 40));
                    writes.incrementAndGet();
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "writer");
        writer.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> writes.get() > 20);
            SourceVerification result = client.verifySource().get(120, TimeUnit.SECONDS);
            assertThat(result.outcome()).as(result.toString()).isEqualTo(SourceVerification.Outcome.REPAIRED);
            assertThat(result.repaired().get("items")).contains("600", "601");
        } finally {
            writing.set(false);
            writer.join(30_000);
        }
        assertThat(writes.get()).isGreaterThan(20);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertStoreEqualsSource(file,
                List.of("items", "notes")));
        assertThat(client.verify().get(30, TimeUnit.SECONDS).outcome()).isEqualTo(StoreVerification.Outcome.UP_TO_DATE);
    }

    @Test
    @DisplayName("an operator audits a connected client with tidemark audit: the divergence is repaired and reported;"
            + " a wrong token, a client that is not connected are refused and change nothing")
    void operatorAudit() throws Exception {
        Path file = directory.resolve("audited.db");
        client("audited", List.of(), "audited.db");
        try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            changeMember(sqlite, "items", "42", "v", "changed");
        }
        Map<Key, Row> before = rows(file);
        String server = "http://127.0.0.1:" + this.server.port();

        Audit wrongToken = audit("--client", "audited", "--server", server, "--token",
                new TokenSigner(SECRET, Clock.systemUTC()).mint("audited", Set.of("*"), Duration.ofMinutes(5)));
        assertThat(wrongToken.code()).isEqualTo(1);
        assertThat(wrongToken.err()).contains("403", "not an operator token");
        Audit absent = audit("--client", "nobody", "--server", server, "--set", "tidemark.auth.secret=" + SECRET);
        assertThat(absent.code()).isEqualTo(1);
        assertThat(absent.err()).contains("404", "'nobody' is not connected");
        assertThat(rows(file)).isEqualTo(before);

        Audit repaired = audit("--client", "audited", "--server", server, "--set", "tidemark.auth.secret=" + SECRET);
        assertThat(repaired.code()).as(repaired.err()).isEqualTo(5);
        assertThat(repaired.out()).contains("client 'audited' differed from the source", "repaired 1 entities",
                "items: 42");
        assertStoreEqualsSource(file, List.of("items", "notes"));

        Audit agreed = audit("--client", "audited", "--server", server, "--set", "tidemark.auth.secret=" + SECRET);
        assertThat(agreed.code()).as(agreed.err()).isZero();
        assertThat(agreed.out()).contains("client 'audited' agrees with the source");
    }

    private record Audit(int code, String out, String err) {}

    private static Audit audit(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine command = dev.tidemark.app.cli.TidemarkServer.commandLine();
        command.setOut(new java.io.PrintWriter(out, true));
        command.setErr(new java.io.PrintWriter(err, true));
        String[] full = new String[args.length + 1];
        full[0] = "audit";
        System.arraycopy(args, 0, full, 1, args.length);
        int code = command.execute(full);
        return new Audit(code, out.toString(), err.toString());
    }

    private TidemarkClient client(String id, List<String> subscriptions, String fileName) throws Exception {
        SyncStore store = SyncStores.open("sqlite", Map.of("path", directory.resolve(fileName).toString()));
        closing.add(store);
        TidemarkClient client = TidemarkClient.builder().serverUrl("ws://127.0.0.1:" + server.port() + "/sync")
                .token(new TokenSigner(SECRET, Clock.systemUTC()).mint(id, Set.of("*"), Duration.ofHours(1)))
                .clientId(id).store(store).subscriptions(subscriptions).build().start();
        closing.add(client);
        client.caughtUp().get(60, TimeUnit.SECONDS);
        int expected = subscriptions.isEmpty() ? 740 : 40;
        await().atMost(Duration.ofSeconds(60)).until(() -> rows(directory.resolve(fileName)).size() == expected);
        return client;
    }

    /** The store holds exactly the source's rows, as JSON objects equal member by member. */
    private void assertStoreEqualsSource(Path file, List<String> types) throws Exception {
        Map<Key, Object> sourceRows = new HashMap<>();
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            for (String type : types) {
                try (ResultSet rows = statement.executeQuery("SELECT id::text, to_jsonb(t)::text FROM " + type + " t")) {
                    while (rows.next()) {
                        sourceRows.put(new Key(type, rows.getString(1)), JSON.readTree(rows.getString(2)));
                    }
                }
            }
        }
        Map<Key, Object> storeRows = new HashMap<>();
        for (Map.Entry<Key, Row> row : rows(file).entrySet()) {
            storeRows.put(row.getKey(), JSON.readTree(row.getValue().data()));
        }
        assertThat(storeRows).isEqualTo(sourceRows);
    }

    private void sql(String... statements) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private record Key(String type, String id) implements Comparable<Key> {
        @Override
        public int compareTo(Key other) {
            int byType = type.compareTo(other.type);
            return byType != 0 ? byType : id.compareTo(other.id);
        }
    }

    private record Row(long rowid, String data) {}

    /** Every entity row of the SQLite file, with its rowid: a rewritten row gets a new rowid or new data. */
    private static Map<Key, Row> rows(Path file) throws SQLException {
        Map<Key, Row> rows = new HashMap<>();
        try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + file);
                PreparedStatement select = sqlite.prepareStatement(
                        "SELECT rowid, entity_type, entity_id, data FROM tidemark_entity");
                ResultSet result = select.executeQuery()) {
            while (result.next()) {
                rows.put(new Key(result.getString(2), result.getString(3)), new Row(result.getLong(1), result.getString(4)));
            }
        }
        return rows;
    }

    private static void execute(Connection sqlite, String sql) throws SQLException {
        try (PreparedStatement statement = sqlite.prepareStatement(sql)) {
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }

    private static void setData(Connection sqlite, String type, String id, String data) throws SQLException {
        try (PreparedStatement update = sqlite.prepareStatement(
                "UPDATE tidemark_entity SET data = ? WHERE entity_type = ? AND entity_id = ?")) {
            update.setString(1, data);
            update.setString(2, type);
            update.setString(3, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    private static void changeMember(Connection sqlite, String type, String id, String member, Object value)
            throws Exception {
        String data;
        try (PreparedStatement select = sqlite.prepareStatement(
                "SELECT data FROM tidemark_entity WHERE entity_type = ? AND entity_id = ?")) {
            select.setString(1, type);
            select.setString(2, id);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                data = row.getString(1);
            }
        }
        ObjectNode object = (ObjectNode) JSON.readTree(data);
        object.set(member, JSON.valueToTree(value));
        setData(sqlite, type, id, JSON.writeValueAsString(object));
    }
}
