package dev.tidemark.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.Module;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.cluster.NodeIdentity;
import dev.tidemark.server.cluster.NodeRegistry;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.hub.testing.WsTestClient;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.runtime.ServerRuntime;
import dev.tidemark.server.spi.HistoryState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

@DisplayName("tidemark status shows the nodes of the change log: leader, standby, gone, and each node's clients")
class StatusNodesTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final String SECRET = "status-nodes-test-secret-0123456789abcdef";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ServerRuntime start(SourceSettings source) {
        SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(),
                HubConfig.defaults(), AuthConfig.withSecret(SECRET));
        Module timing = binder -> binder.bind(NodeRegistry.Timing.class)
                .toInstance(new NodeRegistry.Timing(Duration.ofMillis(300), Duration.ofMinutes(5)));
        return ServerRuntime.start(new ServerRuntime.Settings(source, "postgres", Optional.empty(),
                CaptureSettings.builder().slotName("status_slot").tables(List.of("items"))
                        .heartbeatInterval(Duration.ofSeconds(1)).build(), sync, new SimpleMeterRegistry()),
                List.of(timing));
    }

    private static String status(SourceSettings source) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = TidemarkServer.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        String url = source.jdbcUrl() + (source.jdbcUrl().contains("?") ? "&" : "?") + "user="
                + (source.user() == null ? "postgres" : source.user());
        int code = command.execute("status", "--source", url);
        assertThat(code).as("out: %s%nerr: %s", out, err).isZero();
        return out.toString();
    }

    /** The line of the node table that names {@code node}, split on runs of spaces after the name. */
    private static List<String> row(String status, String node) {
        String line = status.lines().filter(candidate -> candidate.startsWith(node + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for node " + node + " in:\n" + status));
        return Arrays.asList(line.substring(node.length()).trim().split(" +"));
    }

    @Test
    @DisplayName("with two nodes: both listed with url, part and clients; the client is listed under its node; a node"
            + " stopped without removing its row shows as gone")
    void twoNodes() throws Exception {
        SourceSettings source = postgres.createDatabase();
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
        }
        try (ServerRuntime leader = start(source); ServerRuntime standby = start(source)) {
            String leaderName = leader.injector().getInstance(NodeIdentity.class).name();
            String standbyName = standby.injector().getInstance(NodeIdentity.class).name();
            await().atMost(WAIT).until(() -> standby.hub().isReady());
            HistoryState at = standby.changeLog().state().orElseThrow();
            String token = new TokenSigner(SECRET, Clock.systemUTC()).mint("tablet-7", Set.of("*"), Duration.ofHours(1));
            try (WsTestClient client = WsTestClient.connect(URI.create("ws://127.0.0.1:" + standby.port() + "/sync"),
                    new DefaultHttpHeaders().set("Authorization", "Bearer " + token))) {
                client.send(new Hello("tablet-7", at.capturePosition(), at.historyId(), Message.PROTOCOL_VERSION,
                        List.of(Hello.CAPABILITY_ACK), List.of()));
                client.next(Welcome.class, WAIT);
                await().atMost(WAIT).until(() -> status(source).contains("clients of " + standbyName + ": tablet-7"));
                String status = status(source);
                // The leader line names the leader by its node's name, as its row does.
                assertThat(status).contains("leader    tidemark capture slot status_slot on " + leaderName + " (",
                        "nodes     2 running");
                assertThat(row(status, leaderName)).startsWith("ws://127.0.0.1:" + leader.port() + "/sync", "leader", "0");
                assertThat(row(status, standbyName)).startsWith("ws://127.0.0.1:" + standby.port() + "/sync", "standby",
                        "1");
                assertThat(status).doesNotContain("clients of " + leaderName);
            }

            try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO tidemark.node (name, url, heartbeat_interval_ms, heartbeat_at) VALUES"
                        + " ('killed-node', 'ws://10.1.2.3:8080/sync', 1000, now() - interval '10 seconds')");
            }
            String status = status(source);
            assertThat(status).contains("nodes     2 running, 1 gone");
            assertThat(row(status, "killed-node")).startsWith("ws://10.1.2.3:8080/sync", "gone", "-", "-");
        }
    }
}
