package dev.tidemark.app.e2e;

import static org.awaitility.Awaitility.await;

import dev.tidemark.app.demo.DemoSchema;
import dev.tidemark.app.demo.DemoWriter;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.runtime.ServerRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The whole system for an end-to-end test: an embedded PostgreSQL with the demo schema, the
 * reference server capturing it (auth on), and a writer. Real database, real sockets.
 */
final class SyncStack implements AutoCloseable {

    static final String SECRET = "end-to-end-test-secret-of-at-least-32-bytes";

    private final EmbeddedSource postgres;
    private final ServerRuntime server;
    private final DemoWriter writer;
    private final TokenSigner tokens = new TokenSigner(SECRET, Clock.systemUTC());

    private final MeterRegistry meters;

    private SyncStack(EmbeddedSource postgres, ServerRuntime server, MeterRegistry meters) {
        this.postgres = postgres;
        this.server = server;
        this.meters = meters;
        this.writer = new DemoWriter(postgres.settings(), 1000, new Random(42));
    }

    /**
     * A stack whose retention job does not run during a test: history stays whole, so a client that
     * connects late still starts from 0/0 (the legacy, eager client cannot load a snapshot).
     */
    static SyncStack start(Path directory, UnaryOperator<HubConfig.Builder> hub) throws SQLException {
        return start(directory, hub, RetentionPolicy.defaults(), Duration.ofHours(1));
    }

    /** A stack whose retention job runs every {@code retentionInterval} with {@code retention}. */
    static SyncStack start(Path directory, UnaryOperator<HubConfig.Builder> hub, RetentionPolicy retention,
                           Duration retentionInterval) throws SQLException {
        EmbeddedSource postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("pg")));
        try {
            try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement()) {
                DemoSchema.create(connection);
                statement.execute("CREATE DATABASE client_stores");
            }
            MeterRegistry meters = new SimpleMeterRegistry();
            SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(),
                    hub.apply(HubConfig.builder()).build(), AuthConfig.withSecret(SECRET));
            ServerRuntime server = ServerRuntime.start(new ServerRuntime.Settings(postgres.settings(),
                    "postgres", Optional.empty(),
                    CaptureSettings.builder().tables(DemoSchema.TABLES).heartbeatInterval(Duration.ofSeconds(30)).build(),
                    sync, meters, retention, retentionInterval));
            return new SyncStack(postgres, server, meters);
        } catch (RuntimeException | SQLException e) {
            postgres.close();
            throw e;
        }
    }

    SourceSettings source() {
        return postgres.settings();
    }

    /** Settings of a PostgreSQL client store in its own schema of a separate database. */
    String clientStoreUrl() {
        return "jdbc:postgresql://localhost:" + postgres.port() + "/client_stores?user=postgres";
    }

    String serverUrl() {
        return "ws://127.0.0.1:" + server.port() + "/sync";
    }

    int port() {
        return server.port();
    }

    String token(String clientId) {
        return tokens.mint(clientId, Set.of("*"), Duration.ofHours(1));
    }

    DemoWriter writer() {
        return writer;
    }

    MeterRegistry meters() {
        return meters;
    }

    ServerRuntime server() {
        return server;
    }

    /**
     * Waits until capture has written everything committed at the source so far, and returns the
     * capture position then.
     */
    Lsn awaitCaptured() throws SQLException {
        Lsn target;
        try (Connection connection = source().connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            target = Lsn.parse(row.getString(1));
        }
        server.capture().heartbeatNow();
        await().atMost(Duration.ofSeconds(60)).until(() -> !capturePosition().isBefore(target));
        return capturePosition();
    }

    Lsn capturePosition() {
        return server.changeLog().state().orElseThrow().capturePosition();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            postgres.close();
        }
    }
}
