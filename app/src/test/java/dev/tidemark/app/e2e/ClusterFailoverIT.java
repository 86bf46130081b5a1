package dev.tidemark.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three packaged server processes (separate JVMs) over one embedded PostgreSQL: one leads capture, two stand by
 * and serve; kill -9 of the leader, then the termination of the new leader's lease backend, while a writer commits,
 * make a node lead within 5 s each time, with every committed row in the shared change log exactly once; the old
 * leader restarted does not capture.
 */
class ClusterFailoverIT {

    private static final String SECRET = "cluster-failover-test-secret-0123456789abcdef";
    private static final Duration TAKEOVER = Duration.ofSeconds(5);

    @TempDir
    Path directory;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One server process and its port. */
    private record Node(String name, int port, Path config, Path log, Process process) {}

    @Test
    @DisplayName("kill -9 of the capture leader, then a terminated lease backend, while a writer commits: a node leads"
            + " within 5 s each time, nothing is lost or doubled, and the old leader restarted stands by")
    void leaderKilledWhileWriting() throws Exception {
        Path jar = Path.of(System.getProperty("tidemark.app.jar"));
        assertThat(jar).exists();
        try (EmbeddedSource postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("pg")))) {
            SourceSettings source = postgres.settings();
            sql(source, "CREATE TABLE items (id bigint PRIMARY KEY, name text)");
            List<Node> nodes = new ArrayList<>();
            AtomicBoolean writing = new AtomicBoolean(true);
            try {
                nodes.add(start(jar, source, "node-1", freePort()));
                awaitServing(nodes.get(0));
                nodes.add(start(jar, source, "node-2", freePort()));
                nodes.add(start(jar, source, "node-3", freePort()));
                awaitServing(nodes.get(1));
                awaitServing(nodes.get(2));
                Node first = nodes.get(0);
                assertThat(leaderNode(source)).contains("pid " + first.process().pid() + ".");
                await().atMost(Duration.ofSeconds(30)).until(() -> readyz(first).contains("this node leads capture"));
                for (Node standby : nodes.subList(1, 3)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> readyz(standby).contains("this node is a standby"));
                }

                AtomicLong written = new AtomicLong();
                CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> write(source, writing, written));
                await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > 200);
                long epoch = epoch(source);

                first.process().destroyForcibly();
                long killed = System.nanoTime();
                assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(50)).until(() -> epoch(source) > epoch);
                Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
                assertThat(takeover).isLessThan(TAKEOVER);
                String leader = leaderNode(source);
                assertThat(leader).satisfiesAnyOf(
                        name -> assertThat(name).contains("pid " + nodes.get(1).process().pid() + "."),
                        name -> assertThat(name).contains("pid " + nodes.get(2).process().pid() + "."));

                long before = written.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > before + 200);

                long secondEpoch = epoch(source);
                assertThat(query(source, "SELECT bool_and(pg_terminate_backend(l.pid))::text FROM pg_locks l"
                        + " JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted"
                        + " AND l.classid = 1413762379 AND a.application_name LIKE 'tidemark capture slot %'"))
                        .as("the leader's lease backend terminated").isEqualTo("true");
                long cut = System.nanoTime();
                await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(50)).until(() -> epoch(source) > secondEpoch);
                Duration retake = Duration.ofNanos(System.nanoTime() - cut);
                assertThat(retake).isLessThan(TAKEOVER);
                leader = leaderNode(source);
                long afterCut = written.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > afterCut + 200);
                writing.set(false);
                long rows = writer.get(60, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(60)).until(() -> logged(source)[0] >= rows);
                long[] logged = logged(source);
                assertThat(logged[0]).as("changes of items in the change log").isEqualTo(rows);
                assertThat(logged[1]).as("distinct rows in the change log").isEqualTo(rows);

                Node restarted = start(jar, source, "node-1-again", first.port());
                nodes.set(0, restarted);
                awaitServing(restarted);
                await().atMost(Duration.ofSeconds(30)).until(() -> readyz(restarted).contains("this node is a standby"));
                assertThat(leaderNode(source)).isEqualTo(leader);
                System.out.printf("cluster failover: %d rows, takeover %d ms after kill -9, %d ms after the lease"
                        + " backend was terminated, leader now %s%n", rows, takeover.toMillis(), retake.toMillis(), leader);
            } finally {
                writing.set(false);
                for (Node node : nodes) {
                    node.process().destroyForcibly().waitFor();
                }
            }
        }
    }

    private Node start(Path jar, SourceSettings source, String name, int port) throws IOException {
        Path config = directory.resolve(name + ".properties");
        Files.writeString(config, String.join("\n",
                "tidemark.source.jdbc-url=" + source.jdbcUrl(),
                "tidemark.source.user=postgres",
                "tidemark.capture.tables=public.items",
                "tidemark.capture.heartbeat-interval=1s",
                "tidemark.http.bind-address=127.0.0.1",
                "tidemark.http.port=" + port,
                "tidemark.auth.secret=" + SECRET, ""));
        Path log = directory.resolve(name + ".log");
        Process process = new ProcessBuilder(java(), "-jar", jar.toString(), "serve", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Node(name, port, config, log, process);
    }

    private static void awaitServing(Node node) {
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            assertThat(node.process().isAlive()).as(node.name() + " exited: " + read(node.log())).isTrue();
            return read(node.log()).contains("tidemark is serving");
        });
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

    private static long write(SourceSettings source, AtomicBoolean writing, AtomicLong written) {
        try (Connection connection = source.connect();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO items VALUES (?, 'row')")) {
            while (writing.get()) {
                insert.setLong(1, written.get() + 1);
                insert.executeUpdate();
                written.incrementAndGet();
            }
            return written.get();
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

    /** The change log's changes of items, and how many distinct rows they are. */
    private static long[] logged(SourceSettings source) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*), count(DISTINCT entity_id)"
                        + " FROM tidemark.change_history WHERE entity_type = 'items'")) {
            row.next();
            return new long[] {row.getLong(1), row.getLong(2)};
        }
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
