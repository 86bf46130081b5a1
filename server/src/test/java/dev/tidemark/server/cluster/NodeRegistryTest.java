package dev.tidemark.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.Module;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.hub.testing.WsTestClient;
import dev.tidemark.server.metrics.NodeMetrics;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.runtime.ServerRuntime;
import dev.tidemark.server.spi.HistoryState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The node registry: every node of one change log in tidemark.node, with its part, clients and heartbeat")
class NodeRegistryTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final String SECRET = "node-registry-test-secret-0123456789abcdef";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final NodeRegistry.Timing FAST = new NodeRegistry.Timing(Duration.ofMillis(200), Duration.ofSeconds(5));

    private static ServerRuntime start(SourceSettings source, SimpleMeterRegistry meters) {
        SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(),
                HubConfig.defaults(), AuthConfig.withSecret(SECRET));
        Module timing = binder -> binder.bind(NodeRegistry.Timing.class).toInstance(FAST);
        return ServerRuntime.start(new ServerRuntime.Settings(source, "postgres", Optional.empty(),
                CaptureSettings.builder().slotName("nodes_slot").tables(List.of("items"))
                        .heartbeatInterval(Duration.ofSeconds(1)).build(), sync, meters), List.of(timing));
    }

    private static Map<String, NodeStatus> nodes(SourceSettings source) throws SQLException {
        try (Connection connection = source.connect()) {
            return NodeTable.list(connection).stream().collect(Collectors.toMap(NodeStatus::name, Function.identity()));
        }
    }

    private static void sql(SourceSettings source, String... statements) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static String name(ServerRuntime node) {
        return node.injector().getInstance(NodeIdentity.class).name();
    }

    private static WsTestClient hello(ServerRuntime node, String clientId, HistoryState at) {
        String token = new TokenSigner(SECRET, Clock.systemUTC()).mint(clientId, Set.of("*"), Duration.ofHours(1));
        WsTestClient client = WsTestClient.connect(URI.create("ws://127.0.0.1:" + node.port() + "/sync"),
                new DefaultHttpHeaders().set("Authorization", "Bearer " + token));
        client.send(new Hello(clientId, at.capturePosition(), at.historyId(), Message.PROTOCOL_VERSION,
                List.of(Hello.CAPABILITY_ACK), List.of()));
        assertThat(client.next(Welcome.class, WAIT).historyId()).isEqualTo(at.historyId());
        return client;
    }

    @Test
    @DisplayName("two nodes are listed with their url, leader or standby and their clients; a clean stop removes the"
            + " row; a node without heartbeats is gone, and pruned once gone for long")
    void nodesAreRecorded() throws Exception {
        SourceSettings source = postgres.createDatabase();
        sql(source, "CREATE TABLE items (id int PRIMARY KEY, name text)");
        SimpleMeterRegistry standbyMeters = new SimpleMeterRegistry();
        try (ServerRuntime leader = start(source, new SimpleMeterRegistry())) {
            ServerRuntime standby = start(source, standbyMeters);
            try {
                String leaderName = name(leader);
                String standbyName = name(standby);
                await().atMost(WAIT).until(() -> nodes(source).keySet().containsAll(List.of(leaderName, standbyName)));
                assertThat(nodes(source).get(leaderName).url()).isEqualTo("ws://127.0.0.1:" + leader.port() + "/sync");
                await().atMost(WAIT).until(() -> nodes(source).get(leaderName).captureLeader());
                assertThat(nodes(source).get(standbyName).captureLeader()).isFalse();
                assertThat(nodes(source).values()).noneMatch(NodeStatus::gone);

                await().atMost(WAIT).until(() -> standby.hub().isReady());
                HistoryState at = standby.changeLog().state().orElseThrow();
                try (WsTestClient first = hello(standby, "phone-1", at); WsTestClient second = hello(standby, "phone-2", at)) {
                    await().atMost(WAIT).until(() -> nodes(source).get(standbyName).clientIds()
                            .equals(List.of("phone-1", "phone-2")));
                    assertThat(nodes(source).get(leaderName).clientIds()).isEmpty();
                    assertThat(standbyMeters.get(NodeMetrics.CLIENTS).tag("node", standbyName).gauge().value())
                            .isEqualTo(2.0);
                }

                sql(source, "INSERT INTO items VALUES (1, 'one')");
                Duration interval = FAST.interval();
                await().atMost(WAIT).until(() -> standby.changeLog().state().orElseThrow().capturePosition()
                        .isAfter(at.capturePosition()));
                // the standby's follower hears the append: its live lag comes back to 0 on a later heartbeat
                await().atMost(WAIT).pollInterval(interval).until(() -> nodes(source).get(standbyName).liveLagBytes() == 0
                        && standbyMeters.get(NodeMetrics.LIVE_LAG).tag("node", standbyName).gauge().value() == 0.0);
            } finally {
                standby.close();
            }
            String standbyName = name(standby);
            assertThat(nodes(source)).as("a node stopped cleanly removes its row").doesNotContainKey(standbyName);

            // a node that stopped writing heartbeats (killed) is shown as gone, then pruned by a live node
            sql(source, "INSERT INTO tidemark.node (name, url, heartbeat_interval_ms, heartbeat_at)"
                    + " VALUES ('killed', 'ws://10.0.0.9:8080/sync', 200, now() - interval '1 second')");
            NodeStatus killed = nodes(source).get("killed");
            assertThat(killed.gone()).isTrue();
            assertThat(nodes(source).get(name(leader)).gone()).isFalse();
            sql(source, "UPDATE tidemark.node SET heartbeat_at = now() - interval '1 minute' WHERE name = 'killed'");
            await().atMost(WAIT).until(() -> !nodes(source).containsKey("killed"));
            assertThat(nodes(source)).containsKey(name(leader));
        }
        assertThat(nodes(source)).isEmpty();
    }
}
