package dev.tidemark.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.app.demo.DemoSchema;
import dev.tidemark.app.demo.DemoWriter;
import dev.tidemark.app.demo.RowCheck;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server as a user runs it: the self-contained jar started as its own process with a
 * configuration file, a client syncing from it, and a graceful stop.
 */
class PackagedServerIT {

    private static final String SECRET = "packaged-server-test-secret-0123456789abcdef";

    @TempDir
    Path directory;

    @Test
    @DisplayName("the packaged jar serves a client from a config file, and stops gracefully on SIGTERM")
    void packagedServerSyncsAClientAndStopsGracefully() throws Exception {
        Path jar = Path.of(System.getProperty("tidemark.app.jar"));
        assertThat(jar).exists();
        try (EmbeddedSource postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("pg")))) {
            try (Connection connection = postgres.settings().connect()) {
                DemoSchema.create(connection);
            }
            int port = freePort();
            Path config = directory.resolve("tidemark.properties");
            Files.writeString(config, String.join("\n",
                    "tidemark.source.jdbc-url=" + postgres.settings().jdbcUrl(),
                    "tidemark.source.user=postgres",
                    "tidemark.capture.tables=" + String.join(",", DemoSchema.TABLES),
                    "tidemark.capture.heartbeat-interval=1s",
                    "tidemark.http.bind-address=127.0.0.1",
                    "tidemark.http.port=" + port,
                    "tidemark.auth.secret=" + SECRET, ""));
            Path log = directory.resolve("server.log");
            Process server = new ProcessBuilder(java(), "-jar", jar.toString(), "serve", "-c", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> read(log).contains("tidemark is serving"));
                String token = runJar(jar, "token", "-c", config.toString(), "--client-id", "packaged-client").trim();

                new DemoWriter(postgres.settings(), 1000, new Random(7)).writeTransactions(40);
                try (TidemarkClient client = TidemarkClient.builder()
                        .serverUrl("ws://127.0.0.1:" + port + "/sync")
                        .clientId("packaged-client")
                        .token(token)
                        .store("sqlite", Map.of("path", directory.resolve("client.db").toString()))
                        .build().start()) {
                    Lsn target = currentWal(postgres);
                    await().atMost(Duration.ofSeconds(90)).until(() -> !client.status().committedLsn().isBefore(target));
                    try (Connection connection = postgres.settings().connect()) {
                        assertThat(RowCheck.compare(connection, client.store(), DemoSchema.TABLES))
                                .allSatisfy(result -> assertThat(result.matches()).as(result.differences().toString()).isTrue());
                    }
                }
                server.destroy(); // SIGTERM, as a service manager stops it
                assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("the server stopped").isTrue();
                String output = read(log);
                assertThat(output).contains("shutting down").contains("sync endpoint on port " + port + " stopped");
                assertThat(output).doesNotContain(SECRET);

                String status = runJar(jar, "status", "-c", config.toString());
                assertThat(status).contains("packaged-client").contains("history");
            } finally {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private static Lsn currentWal(EmbeddedSource postgres) throws Exception {
        try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            return Lsn.parse(row.getString(1));
        }
    }

    private String runJar(Path jar, String... args) throws Exception {
        Path out = Files.createTempFile(directory, "run", ".out");
        List<String> command = new java.util.ArrayList<>(List.of(java(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(read(out)).isZero();
        return read(out);
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
