package dev.tidemark.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.capture.CaptureStatus;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.hub.testing.WsTestClient;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.runtime.ServerRuntime;
import dev.tidemark.server.spi.HistoryState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Two server nodes over one change log: the standby serves clients live and takes over capture")
class StandbyNodeTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final String SECRET = "standby-node-test-secret-0123456789abcdef";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static ServerRuntime.Settings settings(SourceSettings source, MeterRegistry meters) {
        SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(),
                HubConfig.defaults(), AuthConfig.withSecret(SECRET));
        return new ServerRuntime.Settings(source, "postgres", Optional.empty(),
                CaptureSettings.builder().slotName("cluster_slot").tables(List.of("items"))
                        .heartbeatInterval(Duration.ofSeconds(1)).build(), sync, meters);
    }

    private static void sql(SourceSettings source, String... statements) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Says hello at the log's current position and reads changes, acking each batch, until {@code ids} arrived. */
    private static List<String> receive(WsTestClient client, String clientId, int count) {
        List<String> ids = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (ids.size() < count && System.nanoTime() < deadline) {
            Message message = client.next(WAIT);
            if (message instanceof Changes batch) {
                for (Change change : batch.data()) {
                    ids.add(change.entityId());
                }
                client.send(SyncAck.success(clientId, batch.lsn(), batch.batchId()));
            }
        }
        return ids;
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
    @DisplayName("a client of the standby receives live changes; when the leader stops, the standby leads within 5 s"
            + " and its client goes on with nothing lost or doubled")
    void standbyServesLiveAndTakesOver() throws Exception {
        SourceSettings source = postgres.createDatabase();
        sql(source, "CREATE TABLE items (id int PRIMARY KEY, name text)");
        SimpleMeterRegistry standbyMeters = new SimpleMeterRegistry();
        ServerRuntime leader = ServerRuntime.start(settings(source, new SimpleMeterRegistry()));
        try (ServerRuntime standby = ServerRuntime.start(settings(source, standbyMeters))) {
            assertThat(standby.capture().status().state()).isEqualTo(CaptureStatus.State.STANDBY);
            assertThat(standbyMeters.get("tidemark.capture.leader").gauge().value()).isZero();
            await().atMost(WAIT).until(() -> standby.hub().isReady());
            assertThat(standby.capture().health().complete()).isTrue();

            HistoryState at = standby.changeLog().state().orElseThrow();
            try (WsTestClient client = hello(standby, "on-standby", at)) {
                sql(source, "INSERT INTO items VALUES (1, 'one')", "INSERT INTO items VALUES (2, 'two')");
                assertThat(receive(client, "on-standby", 2)).containsExactly("1", "2");

                leader.close();
                long stopped = System.nanoTime();
                sql(source, "INSERT INTO items VALUES (3, 'three')");
                await().atMost(Duration.ofSeconds(5)).until(() -> standby.capture().isLeader()
                        && standby.capture().status().state() == CaptureStatus.State.STREAMING);
                assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(5));
                assertThat(standbyMeters.get("tidemark.capture.leader").gauge().value()).isOne();
                sql(source, "INSERT INTO items VALUES (4, 'four')");
                assertThat(receive(client, "on-standby", 2)).containsExactly("3", "4");
            }
        } finally {
            leader.close();
        }
    }
}
