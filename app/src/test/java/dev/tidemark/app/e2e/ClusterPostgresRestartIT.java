package dev.tidemark.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.pg.SourceSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three packaged server processes (separate JVMs) over one embedded PostgreSQL, with a client on each node (each
 * given all three URLs, its own node first), while a writer inserts and updates: PostgreSQL is restarted under
 * them. Every node comes back, exactly one leads capture, and every client converges row by row, column by
 * column with the source; the change log holds each committed insert exactly once. The short form restarts once;
 * {@code -Dtidemark.cluster.restarts=N} restarts N times with more writing between (the long form).
 */
class ClusterPostgresRestartIT {

    private static final String SECRET = "cluster-restart-test-secret-0123456789abcdef";
    private static final Duration TAKEOVER = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private record Node(String name, int port, Path log, Process process) {
        String url() {
            return "ws://127.0.0.1:" + port + "/sync";
        }
    }

    @Test
    @DisplayName("PostgreSQL restarted under three nodes, a writer and a client on each node: all nodes recover, one"
            + " leads within 5 s of PostgreSQL being back, every client equals the source row by row")
    void postgresRestart() throws Exception {
        int restarts = Integer.getInteger("tidemark.cluster.restarts", 1);
        Path jar = Path.of(System.getProperty("tidemark.app.jar"));
        assertThat(jar).exists();
        EmbeddedPostgresSettings pg = new EmbeddedPostgresSettings(directory.resolve("pg"), freePort(), Map.of());
        EmbeddedSource postgres = new EmbeddedPostgresStarter().start(pg);
        SourceSettings source = postgres.settings();
        List<Node> nodes = new ArrayList<>();
        List<TidemarkClient> clients = new ArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        try {
            sql(source, "CREATE TABLE items (id bigint PRIMARY KEY, name text, version int NOT NULL)");
            for (int i = 1; i <= 3; i++) {
                nodes.add(start(jar, source, "node-" + i, freePort()));
                awaitServing(nodes.get(i - 1));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> leaders(nodes) == 1);
            TokenSigner tokens = new TokenSigner(SECRET, Clock.systemUTC());
            for (int i = 0; i < 3; i++) {
                List<String> urls = new ArrayList<>();
                for (int j = 0; j < 3; j++) {
                    urls.add(nodes.get((i + j) % 3).url());
                }
                String clientId = "client-on-node-" + (i + 1);
                clients.add(TidemarkClient.builder().serverUrls(urls).token(tokens.mint(clientId, Set.of("*"),
                                Duration.ofHours(1))).clientId(clientId)
                        .store("sqlite", Map.of("path", directory.resolve(clientId + ".db").toString()))
                        .build().start());
            }

            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(source, writing, written));
            for (int round = 0; round < restarts; round++) {
                long before = written.get();
                await().atMost(Duration.ofSeconds(60)).until(() -> written.get() > before + 300);
                long epoch = epoch(source);

                postgres.close();
                postgres = new EmbeddedPostgresStarter().start(pg);
                long back = System.nanoTime();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> epoch(source) > epoch);
                Duration takeover = Duration.ofNanos(System.nanoTime() - back);
                System.out.printf("cluster PostgreSQL restart %d: a node leads %d ms after PostgreSQL is back%n",
                        round + 1, takeover.toMillis());
                assertThat(takeover).as("a node leads within 5 s of PostgreSQL being back").isLessThan(TAKEOVER);
                await().atMost(Duration.ofSeconds(60)).until(() -> ready(nodes) == 3);
                assertThat(leaders(nodes)).as("exactly one node leads").isEqualTo(1);
                long after = written.get();
                await().atMost(Duration.ofSeconds(60)).until(() -> written.get() > after + 300);
            }
            writing.set(false);
            writer.get(60, TimeUnit.SECONDS);

            Map<Long, String> expected = sourceRows(source);
            assertThat(expected).hasSizeGreaterThan(600);
            for (int i = 0; i < 3; i++) {
                Path store = directory.resolve("client-on-node-" + (i + 1) + ".db");
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(storeRows(store)).as(store.getFileName().toString())
                                .isEqualTo(expected));
            }
            try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("SELECT count(*) FROM (SELECT entity_id FROM"
                            + " tidemark.change_history WHERE entity_type = 'items' AND data::jsonb ->> 'version' = '0'"
                            + " GROUP BY entity_id HAVING count(*) <> 1) doubled")) {
                row.next();
                assertThat(row.getLong(1)).as("inserts logged more than once").isZero();
            }
            assertThat(leaders(nodes)).isEqualTo(1);
            System.out.printf("cluster PostgreSQL restart: %d rows, %d restarts, 3 clients equal to the source%n",
                    expected.size(), restarts);
        } finally {
            writing.set(false);
            for (TidemarkClient client : clients) {
                client.close();
            }
            for (Node node : nodes) {
                node.process().destroyForcibly().waitFor();
            }
            postgres.close();
        }
    }

    /** Inserts rows (version 0) and updates every tenth earlier one, reconnecting while PostgreSQL is down. */
    private static void write(SourceSettings source, AtomicBoolean writing, AtomicLong written) {
        while (writing.get()) {
            try (Connection connection = source.connect();
                    PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO items VALUES (?, ?, 0) ON CONFLICT (id) DO NOTHING");
                    PreparedStatement update = connection.prepareStatement(
                            "UPDATE items SET name = ?, version = version + 1 WHERE id = ?")) {
                while (writing.get()) {
                    long id = written.get() + 1;
                    insert.setLong(1, id);
                    insert.setString(2, "row " + id);
                    insert.executeUpdate();
                    if (id % 10 == 0) {
                        update.setString(1, "updated by " + id);
                        update.setLong(2, id / 2);
                        update.executeUpdate();
                    }
                    written.incrementAndGet();
                }
            } catch (SQLException e) {
                // PostgreSQL restarts: connect again once it is back
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> !writing.get() || epoch(source) >= 0);
            }
        }
    }

    private static Map<Long, String> sourceRows(SourceSettings source) throws SQLException {
        Map<Long, String> rows = new TreeMap<>();
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT id, name, version FROM items")) {
            while (row.next()) {
                rows.put(row.getLong(1), row.getString(2) + " | " + row.getInt(3));
            }
        }
        return rows;
    }

    /** The client's items, as {@code id -> name | version}, read from its SQLite store. */
    private static Map<Long, String> storeRows(Path store) throws SQLException, IOException {
        Map<Long, String> rows = new TreeMap<>();
        if (!Files.exists(store)) {
            return rows;
        }
        try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + store);
                Statement statement = sqlite.createStatement();
                ResultSet row = statement.executeQuery("SELECT data FROM tidemark_entity WHERE entity_type = 'items'")) {
            while (row.next()) {
                JsonNode data = JSON.readTree(row.getString(1));
                rows.put(data.get("id").asLong(), data.get("name").asText() + " | " + data.get("version").asInt());
            }
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such table")) {
                return rows;
            }
            throw e;
        }
        return rows;
    }

    private Node start(Path jar, SourceSettings source, String name, int port) throws IOException {
        Path config = directory.resolve(name + ".properties");
        Files.writeString(config, String.join("\n",
                "tidemark.source.jdbc-url=" + source.jdbcUrl(),
                "tidemark.source.user=postgres",
                "tidemark.capture.tables=public.items",
                "tidemark.capture.heartbeat-interval=1s",
                "tidemark.capture.restart-backoff=200ms",
                "tidemark.capture.restart-backoff-max=1s",
                "tidemark.http.bind-address=127.0.0.1",
                "tidemark.http.port=" + port,
                "tidemark.auth.secret=" + SECRET, ""));
        Path log = directory.resolve(name + ".log");
        Process process = new ProcessBuilder(java(), "-jar", jar.toString(), "serve", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Node(name, port, log, process);
    }

    private static void awaitServing(Node node) {
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            assertThat(node.process().isAlive()).as(node.name() + " exited: " + read(node.log())).isTrue();
            return read(node.log()).contains("tidemark is serving");
        });
    }

    private long leaders(List<Node> nodes) {
        return nodes.stream().filter(node -> readyz(node).contains("this node leads capture")).count();
    }

    private long ready(List<Node> nodes) {
        return nodes.stream().filter(node -> node.process().isAlive() && readyz(node).startsWith("200 ")).count();
    }

    private String readyz(Node node) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.port() + "/readyz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return "unreachable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static long epoch(SourceSettings source) {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT epoch FROM tidemark.capture_leader")) {
            return row.next() ? row.getLong(1) : -1;
        } catch (SQLException e) {
            return -1;
        }
    }

    private static void sql(SourceSettings source, String sql) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
