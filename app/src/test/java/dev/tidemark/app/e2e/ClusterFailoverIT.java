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
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three packaged server processes (separate JVMs) over one embedded PostgreSQL, with a client on each node (each
 * given all three URLs, its own node first), while a writer inserts and updates: kill -9 of the capture leader, the
 * killed node restarted (it stands by and does not capture), then the termination of the leader's lease backend
 * ({@code pg_terminate_backend}). A node leads within 5 s each time; the change log holds every committed change
 * exactly once and every client converges row by row, column by column with the source. The short form does this
 * once; {@code -Dtidemark.cluster.kills=N} does it N times with more writing between (the long form).
 */
class ClusterFailoverIT {

    private static final String SECRET = "cluster-failover-test-secret-0123456789abcdef";
    private static final Duration TAKEOVER = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One server process and its port. */
    private record Node(String name, int port, Path log, Process process) {
        String url() {
            return "ws://127.0.0.1:" + port + "/sync";
        }

        boolean named(String leader) {
            return leader != null && leader.contains("pid " + process.pid() + ".");
        }
    }

    /** What the writer committed: inserts (each a new row) and updates (each of an existing row). */
    private record Written(long inserts, long updates) {}

    @Test
    @DisplayName("kill -9 of the capture leader, the old leader restarted, then a terminated lease backend, while a"
            + " writer commits and a client syncs on each node: a node leads within 5 s each time, the old leader"
            + " stands by, nothing is lost or doubled and every client equals the source row by row")
    void leaderKilledWhileWriting() throws Exception {
        int kills = Integer.getInteger("tidemark.cluster.kills", 1);
        long perPhase = kills > 1 ? 500 : 200;
        Path jar = Path.of(System.getProperty("tidemark.app.jar"));
        assertThat(jar).exists();
        try (EmbeddedSource postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("pg")))) {
            SourceSettings source = postgres.settings();
            sql(source, "CREATE TABLE items (id bigint PRIMARY KEY, name text, version int NOT NULL)");
            List<Node> nodes = new ArrayList<>();
            List<TidemarkClient> clients = new ArrayList<>();
            AtomicBoolean writing = new AtomicBoolean(true);
            try {
                nodes.add(start(jar, source, "node-1", freePort()));
                awaitServing(nodes.get(0));
                nodes.add(start(jar, source, "node-2", freePort()));
                nodes.add(start(jar, source, "node-3", freePort()));
                awaitServing(nodes.get(1));
                awaitServing(nodes.get(2));
                assertThat(nodes.get(0).named(leaderNode(source))).as("the first node started leads").isTrue();
                await().atMost(Duration.ofSeconds(30)).until(() -> readyz(nodes.get(0)).contains("this node leads capture"));
                for (Node standby : nodes.subList(1, 3)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> readyz(standby).contains("this node is a standby"));
                }
                TokenSigner tokens = new TokenSigner(SECRET, Clock.systemUTC());
                for (int i = 0; i < 3; i++) {
                    List<String> urls = new ArrayList<>();
                    for (int j = 0; j < 3; j++) {
                        urls.add(nodes.get((i + j) % 3).url());
                    }
                    String clientId = "client-on-node-" + (i + 1);
                    clients.add(TidemarkClient.builder().serverUrls(urls).token(tokens.mint(clientId, Set.of("*"),
                                    Duration.ofHours(1))).clientId(clientId)
                            .store("sqlite", Map.of("path", store(clientId).toString()))
                            .build().start());
                }

                AtomicLong inserted = new AtomicLong();
                AtomicLong updated = new AtomicLong();
                CompletableFuture<Written> writer = CompletableFuture.supplyAsync(
                        () -> write(source, writing, inserted, updated));
                List<Long> takeovers = new ArrayList<>();
                List<Long> retakes = new ArrayList<>();
                for (int round = 1; round <= kills; round++) {
                    awaitWritten(inserted, perPhase);
                    long epoch = epoch(source);
                    String leader = leaderNode(source);
                    int killedAt = indexOf(nodes, leader);
                    Node killed = nodes.get(killedAt);
                    killed.process().destroyForcibly();
                    long killedNanos = System.nanoTime();
                    assertThat(killed.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                    await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(50)).until(() -> epoch(source) > epoch);
                    Duration takeover = Duration.ofNanos(System.nanoTime() - killedNanos);
                    assertThat(takeover).as("a node leads within 5 s of kill -9 of the leader").isLessThan(TAKEOVER);
                    takeovers.add(takeover.toMillis());
                    String newLeader = leaderNode(source);
                    assertThat(nodes.stream().filter(node -> node != killed && node.named(newLeader)))
                            .as("a running node leads: " + newLeader).hasSize(1);
                    long takenEpoch = epoch(source);
                    awaitWritten(inserted, perPhase);

                    Node restarted = start(jar, source, killed.name() + "-again-" + round, killed.port());
                    nodes.set(killedAt, restarted);
                    awaitServing(restarted);
                    await().atMost(Duration.ofSeconds(30)).until(() -> readyz(restarted).contains("this node is a standby"));
                    assertThat(leaderNode(source)).as("the old leader restarted does not capture").isEqualTo(newLeader);
                    assertThat(epoch(source)).as("the old leader restarted does not take the lease").isEqualTo(takenEpoch);

                    long secondEpoch = epoch(source);
                    Node cutNode = nodes.get(indexOf(nodes, newLeader));
                    assertThat(query(source, "SELECT bool_and(pg_terminate_backend(l.pid))::text FROM pg_locks l"
                            + " JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted"
                            + " AND l.classid = 1413762379 AND a.application_name LIKE 'tidemark capture slot %'"))
                            .as("the leader's lease backend terminated").isEqualTo("true");
                    long cut = System.nanoTime();
                    await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(50)).until(() -> epoch(source) > secondEpoch);
                    Duration retake = Duration.ofNanos(System.nanoTime() - cut);
                    assertThat(retake).as("a node leads within 5 s of the lease backend's termination").isLessThan(TAKEOVER);
                    retakes.add(retake.toMillis());
                    String third = leaderNode(source);
                    if (!cutNode.named(third)) {
                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> readyz(cutNode).contains("this node is a standby"));
                    }
                    await().atMost(Duration.ofSeconds(30)).until(() -> leaders(nodes) == 1);
                    System.out.printf("cluster failover round %d: takeover %d ms after kill -9, %d ms after the lease"
                            + " backend was terminated, %d rows written so far%n", round, takeover.toMillis(),
                            retake.toMillis(), inserted.get());
                }
                awaitWritten(inserted, perPhase);
                writing.set(false);
                Written written = writer.get(60, TimeUnit.SECONDS);

                long changes = written.inserts() + written.updates();
                await().atMost(Duration.ofSeconds(60)).until(() -> logged(source)[0] >= changes);
                long[] logged = logged(source);
                assertThat(logged[0]).as("changes of items in the change log (inserts + updates)").isEqualTo(changes);
                assertThat(logged[1]).as("distinct rows in the change log").isEqualTo(written.inserts());
                assertThat(logged[2]).as("inserts logged other than exactly once").isZero();

                Map<Long, String> expected = sourceRows(source);
                assertThat(expected).hasSize((int) written.inserts());
                for (int i = 0; i < 3; i++) {
                    Path store = store("client-on-node-" + (i + 1));
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                            .untilAsserted(() -> assertThat(storeRows(store)).as(store.getFileName().toString())
                                    .isEqualTo(expected));
                }
                assertThat(leaders(nodes)).as("exactly one node leads").isEqualTo(1);
                LongSummaryStatistics killStats = takeovers.stream().mapToLong(Long::longValue).summaryStatistics();
                LongSummaryStatistics cutStats = retakes.stream().mapToLong(Long::longValue).summaryStatistics();
                System.out.printf("cluster failover: %d kills -9 (takeover min/avg/max %d/%.0f/%d ms), %d lease"
                        + " backends terminated (takeover min/avg/max %d/%.0f/%d ms), %d rows, %d changes checked in"
                        + " the change log, 0 lost, 0 doubled, 3 clients equal to the source%n",
                        kills, killStats.getMin(), killStats.getAverage(), killStats.getMax(), retakes.size(),
                        cutStats.getMin(), cutStats.getAverage(), cutStats.getMax(), written.inserts(), changes);
            } finally {
                writing.set(false);
                for (TidemarkClient client : clients) {
                    client.close();
                }
                for (Node node : nodes) {
                    node.process().destroyForcibly().waitFor();
                }
            }
        }
    }

    private static void awaitWritten(AtomicLong inserted, long more) {
        long before = inserted.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> inserted.get() > before + more);
    }

    private static int indexOf(List<Node> nodes, String leader) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).named(leader)) {
                return i;
            }
        }
        throw new AssertionError("no running node is the recorded leader " + leader);
    }

    private Path store(String clientId) {
        return directory.resolve(clientId + ".db");
    }

    private Node start(Path jar, SourceSettings source, String name, int port) throws IOException {
        Path config = directory.resolve(name + ".properties");
        Files.writeString(config, String.join("\n",
                "tidemark.source.jdbc-url=" + source.jdbcUrl(),
                "tidemark.source.user=postgres",
                "tidemark.capture.tables=public.items",
                "tidemark.capture.heartbeat-interval=1s",
                "tidemark.retention.interval=24h",
                "tidemark.http.bind-address=127.0.0.1",
                "tidemark.http.port=" + port,
                "tidemark.auth.secret=" + SECRET, ""));
        Path log = directory.resolve(name + ".log");
        Process process = new ProcessBuilder(java(), "-jar", jar.toString(), "serve", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Node(name, port, log, process);
    }

    private static void awaitServing(Node node) throws IOException {
        try {
            await().atMost(Duration.ofSeconds(180)).until(() -> {
                assertThat(node.process().isAlive()).as(node.name() + " exited: " + read(node.log())).isTrue();
                return read(node.log()).contains("tidemark is serving");
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(node.name() + " is not serving after 3 minutes; its log:\n" + read(node.log()), e);
        }
    }

    private long leaders(List<Node> nodes) {
        return nodes.stream().filter(node -> readyz(node).contains("this node leads capture")).count();
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

    /** Inserts rows (version 0) and, every tenth row, updates an earlier one; each statement commits alone. */
    private static Written write(SourceSettings source, AtomicBoolean writing, AtomicLong inserted, AtomicLong updated) {
        try (Connection connection = source.connect();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO items VALUES (?, ?, 0)");
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE items SET name = ?, version = version + 1 WHERE id = ?")) {
            while (writing.get()) {
                long id = inserted.get() + 1;
                insert.setLong(1, id);
                insert.setString(2, "row " + id);
                insert.executeUpdate();
                inserted.incrementAndGet();
                if (id % 10 == 0) {
                    update.setString(1, "updated by " + id);
                    update.setLong(2, id / 2);
                    assertThat(update.executeUpdate()).isOne();
                    updated.incrementAndGet();
                }
            }
            return new Written(inserted.get(), updated.get());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long epoch(SourceSettings source) throws SQLException {
        return Long.parseLong(query(source, "SELECT epoch::text FROM tidemark.capture_leader"));
    }

    private static String leaderNode(SourceSettings source) throws SQLException {
        return query(source, "SELECT node FROM tidemark.capture_leader");
    }

    /** The change log's changes of items, how many distinct rows they are, and how many rows were not inserted once. */
    private static long[] logged(SourceSettings source) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*), count(DISTINCT entity_id),"
                        + " (SELECT count(*) FROM (SELECT entity_id FROM tidemark.change_history"
                        + " WHERE entity_type = 'items' GROUP BY entity_id"
                        + " HAVING count(*) FILTER (WHERE data::jsonb ->> 'version' = '0') <> 1) odd)"
                        + " FROM tidemark.change_history WHERE entity_type = 'items'")) {
            row.next();
            return new long[] {row.getLong(1), row.getLong(2), row.getLong(3)};
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

    private static String query(SourceSettings source, String sql) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            return row.next() ? row.getString(1) : null;
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
