package dev.tidemark.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.app.demo.DemoSchema;
import dev.tidemark.app.demo.DemoWriter;
import dev.tidemark.app.demo.RowCheck;
import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.status.ClientState;
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
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client listed with two server URLs moves to the second node when the first stops: one real server
 * stopped, a second started on another port over the same change log and source. Real PostgreSQL, real
 * sockets, a real store; the store ends equal to the source, row by row.
 */
class ClientFailoverEndToEndTest {

    private static final String SECRET = "end-to-end-test-secret-of-at-least-32-bytes";
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    @TempDir
    Path directory;

    @Test
    @DisplayName("a client listed with two nodes moves to the second when the first stops and converges row by row")
    void movesToTheOtherNode() throws Exception {
        try (EmbeddedSource postgres = new EmbeddedPostgresStarter().start(
                EmbeddedPostgresSettings.of(directory.resolve("pg")))) {
            try (Connection connection = postgres.settings().connect()) {
                DemoSchema.create(connection);
            }
            DemoWriter writer = new DemoWriter(postgres.settings(), 1000, new Random(14));
            writer.writeTransactions(30);
            int secondPort = freePort();
            ServerRuntime first = start(postgres, 0);
            URI firstUrl = URI.create("ws://127.0.0.1:" + first.port() + "/sync");
            URI secondUrl = URI.create("ws://127.0.0.1:" + secondPort + "/sync");
            String token = new TokenSigner(SECRET, Clock.systemUTC()).mint("mover", Set.of("*"), Duration.ofHours(1));
            ServerRuntime second = null;
            try (TidemarkClient client = TidemarkClient.builder()
                    .serverUrls(List.of(firstUrl.toString(), secondUrl.toString()))
                    .token(token)
                    .store("sqlite", Map.of("path", directory.resolve("mover.db").toString()))
                    .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .build().start()) {
                Lsn capturedOnFirst = awaitCaptured(first, postgres);
                await().atMost(CONVERGE).until(() -> !client.status().committedLsn().isBefore(capturedOnFirst));
                assertThat(client.status().serverNode()).contains(firstUrl);

                first.close();
                first = null;
                writer.writeTransactions(40);
                await().atMost(CONVERGE).until(() -> client.status().state() == ClientState.BACKING_OFF
                        || client.status().state() == ClientState.CONNECTING);
                second = start(postgres, secondPort);
                writer.writeTransactions(40);

                Lsn captured = awaitCaptured(second, postgres);
                await().atMost(CONVERGE).until(() -> !client.status().committedLsn().isBefore(captured));
                assertThat(client.status().serverNode()).contains(secondUrl);
                assertThat(client.status().state()).isEqualTo(ClientState.CONNECTED);
                try (Connection connection = postgres.settings().connect()) {
                    List<RowCheck.TableResult> results = RowCheck.compare(connection, client.store(), DemoSchema.TABLES);
                    assertThat(results).allSatisfy(result -> {
                        assertThat(result.differences()).as(result.table()).isEmpty();
                        assertThat(result.storeRows()).as(result.table()).isEqualTo(result.sourceRows());
                    });
                    assertThat(results.stream().mapToLong(RowCheck.TableResult::sourceRows).sum()).isPositive();
                }
                assertThat(client.status().committedLsn()).isEqualTo(client.store().committedLsn());
            } finally {
                if (first != null) {
                    first.close();
                }
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    private static ServerRuntime start(EmbeddedSource postgres, int port) {
        SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(port).build(),
                HubConfig.builder().batchMaxChanges(200).window(4).build(), AuthConfig.withSecret(SECRET));
        return ServerRuntime.start(new ServerRuntime.Settings(postgres.settings(), "postgres", Optional.empty(),
                CaptureSettings.builder().tables(DemoSchema.TABLES).heartbeatInterval(Duration.ofSeconds(30)).build(),
                sync, new SimpleMeterRegistry(), RetentionPolicy.defaults(), Duration.ofHours(1)));
    }

    /** Waits until {@code server} captured everything committed at the source so far; returns its position then. */
    private static Lsn awaitCaptured(ServerRuntime server, EmbeddedSource postgres) throws Exception {
        Lsn target;
        try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            target = Lsn.parse(row.getString(1));
        }
        server.capture().heartbeatNow();
        await().atMost(Duration.ofSeconds(60)).until(() -> !position(server).isBefore(target));
        return position(server);
    }

    private static Lsn position(ServerRuntime server) {
        return server.changeLog().state().orElseThrow().capturePosition();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
