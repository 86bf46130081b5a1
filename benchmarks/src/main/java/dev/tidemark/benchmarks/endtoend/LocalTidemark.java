package dev.tidemark.benchmarks.endtoend;

import dev.tidemark.benchmarks.postgres.PgStatements;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.runtime.ServerRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The real system on this machine for the benchmarks that run it end to end: an embedded PostgreSQL in a
 * temporary directory, a Tidemark server capturing some of its tables (the change log in the same database unless
 * told otherwise, the hub's batch size and window from {@code -Dhub.batch} and {@code -Dhub.window}), and clients
 * with a SQLite store in the same directory. {@link #close()} stops PostgreSQL and deletes the directory.
 */
public final class LocalTidemark implements AutoCloseable {

    private final Path directory;
    private final EmbeddedSource postgres;

    private LocalTidemark(Path directory, EmbeddedSource postgres) {
        this.directory = directory;
        this.postgres = postgres;
    }

    /** Starts an embedded PostgreSQL in a new temporary directory named after {@code name}. */
    public static LocalTidemark start(String name) throws IOException {
        Path directory = Files.createTempDirectory(name);
        try {
            return new LocalTidemark(directory,
                    new EmbeddedPostgresStarter().start(PgStatements.settings(directory.resolve("pg"))));
        } catch (RuntimeException e) {
            delete(directory);
            throw e;
        }
    }

    /** How to reach the source database ({@code postgres}, as the superuser). */
    public SourceSettings source() {
        return postgres.settings();
    }

    /** The temporary directory, for the benchmark's own files. */
    public Path directory() {
        return directory;
    }

    /**
     * Starts a server on an ephemeral port of the loopback interface capturing {@code tables}, its change log in
     * the source database or, when given, where {@code changeLog} says.
     */
    public ServerRuntime startServer(List<String> tables, Optional<Map<String, String>> changeLog) {
        SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(),
                HubConfig.builder().batchMaxChanges(Integer.getInteger("hub.batch", 500))
                        .window(Integer.getInteger("hub.window", 8)).build(),
                new AuthConfig(false, null));
        return ServerRuntime.start(new ServerRuntime.Settings(source(), "postgres", changeLog,
                CaptureSettings.builder().tables(tables).build(), sync, new SimpleMeterRegistry()));
    }

    /** A client of {@code server} (built, not started) whose SQLite store is {@code <clientId>.db} in the directory. */
    public TidemarkClient client(ServerRuntime server, String clientId) {
        return client(server.port(), clientId);
    }

    /** A client of the server on loopback port {@code port} (built, not started), as {@link #client(ServerRuntime, String)}. */
    public TidemarkClient client(int port, String clientId) {
        return TidemarkClient.builder()
                .serverUrl("ws://127.0.0.1:" + port + "/sync")
                .clientId(clientId)
                .store("sqlite", Map.of("path", directory.resolve(clientId + ".db").toString()))
                .build();
    }

    @Override
    public void close() throws IOException {
        try {
            postgres.close();
        } finally {
            delete(directory);
        }
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
