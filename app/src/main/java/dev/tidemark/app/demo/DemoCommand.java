package dev.tidemark.app.demo;

import dev.tidemark.client.SyncStatus;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.capture.CaptureStatus;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.pg.EmbeddedPostgresSettings;
import dev.tidemark.server.pg.EmbeddedPostgresStarter;
import dev.tidemark.server.pg.EmbeddedSource;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.runtime.ServerRuntime;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tidemark demo}: embedded PostgreSQL, a demo schema and a writer, the server, and a few
 * clients syncing into SQLite files; progress while it runs, and at the end a row-by-row check that
 * every client matches the source.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the reference server on an embedded PostgreSQL with a demo writer and clients syncing"
                + " into SQLite files.", "Stops on Ctrl-C or after --duration, then checks every client against"
                + " the source, row by row."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "stop after this many seconds (default: run until Ctrl-C)")
    Long durationSeconds;

    @Option(names = "--clients", defaultValue = "3", description = "how many clients sync (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--rate", defaultValue = "40",
            description = "source transactions per second the writer commits (default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--dir", defaultValue = ".tidemark/demo",
            description = "where the demo keeps PostgreSQL's data and the clients' SQLite files (default ${DEFAULT-VALUE})")
    Path directory;

    @Option(names = "--port", defaultValue = "8080", description = "the sync endpoint's port; 0 for any free one"
            + " (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--catch-up-timeout", defaultValue = "120",
            description = "seconds the final check waits for clients to catch up (default ${DEFAULT-VALUE})")
    long catchUpTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Files.createDirectories(directory);
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            try {
                finished.await(catchUpTimeoutSeconds + 60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tidemark-demo-stop"));
        try (EmbeddedSource postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("postgres")))) {
            SourceSettings source = postgres.settings();
            try (Connection connection = source.connect()) {
                DemoSchema.create(connection);
            }
            String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
            SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(port).build(),
                    HubConfig.defaults(), AuthConfig.withSecret(secret));
            CaptureSettings capture = CaptureSettings.builder().tables(DemoSchema.TABLES).build();
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (ServerRuntime server = ServerRuntime.start(new ServerRuntime.Settings(Optional.of(source),
                    EmbeddedPostgresSettings.of(directory.resolve("postgres")), "postgres", Optional.empty(), capture, sync,
                    meters))) {
                out.printf("demo: PostgreSQL at %s, server at ws://127.0.0.1:%d/sync, %d clients in %s%n",
                        source.redactedUrl(), server.port(), clients, directory.toAbsolutePath());
                out.flush();
                TokenSigner tokens = new TokenSigner(secret, Clock.systemUTC());
                out.printf("demo: sync a client of your own while it runs:%n  ./tidemark-client --server"
                                + " ws://127.0.0.1:%d/sync --client-id my-client --token %s --file my-client.db%n",
                        server.port(), tokens.mint("my-client", Set.of("*"), Duration.ofDays(1)));
                List<TidemarkClient> syncing = new ArrayList<>();
                try {
                    for (int i = 1; i <= clients; i++) {
                        String clientId = "demo-client-" + i;
                        syncing.add(TidemarkClient.builder()
                                .serverUrl("ws://127.0.0.1:" + server.port() + "/sync")
                                .clientId(clientId)
                                .token(tokens.mint(clientId, Set.of("*"), Duration.ofDays(1)))
                                .store("sqlite", Map.of("path", directory.resolve(clientId + ".db").toString()))
                                .build()
                                .start());
                    }
                    DemoWriter writer = new DemoWriter(source, rate, new Random());
                    Thread writing = new Thread(writer, "tidemark-demo-writer");
                    writing.start();
                    long deadline = durationSeconds == null ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
                    long lastChanges = server.capture().status().changes();
                    // The latch paces the progress lines and ends the loop on Ctrl-C.
                    while (!stopRequested.await(2, TimeUnit.SECONDS) && System.nanoTime() < deadline) {
                        CaptureStatus status = server.capture().status();
                        out.println(progressLine(status, (status.changes() - lastChanges) / 2.0, syncing));
                        out.flush();
                        lastChanges = status.changes();
                    }
                    writer.stopAndWait();
                    out.printf("demo: writer stopped after %d transactions; waiting for clients to catch up%n",
                            writer.committedTransactions());
                    out.flush();
                    return finalCheck(out, source, server, syncing);
                } finally {
                    syncing.forEach(TidemarkClient::close);
                }
            }
        } finally {
            finished.countDown();
        }
    }

    private int finalCheck(PrintWriter out, SourceSettings source, ServerRuntime server, List<TidemarkClient> syncing)
            throws Exception {
        Lsn target = awaitCaptured(source, server);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(catchUpTimeoutSeconds);
        CountDownLatch pace = new CountDownLatch(1);
        while (syncing.stream().anyMatch(client -> client.status().committedLsn().isBefore(target))
                && System.nanoTime() < deadline) {
            pace.await(100, TimeUnit.MILLISECONDS);
        }
        boolean allMatch = true;
        out.println("check: comparing every client with the source, row by row");
        try (Connection connection = source.connect()) {
            for (TidemarkClient client : syncing) {
                SyncStatus status = client.status();
                List<RowCheck.TableResult> results = RowCheck.compare(connection, client.store(), DemoSchema.TABLES);
                boolean matches = results.stream().allMatch(RowCheck.TableResult::matches);
                allMatch &= matches;
                StringBuilder line = new StringBuilder(String.format("check: %-14s at %-12s", status.clientId(),
                        status.committedLsn()));
                for (RowCheck.TableResult result : results) {
                    line.append(String.format("  %s %d/%d %s", result.table(), result.storeRows(), result.sourceRows(),
                            result.matches() ? "ok" : "MISMATCH"));
                }
                out.println(line);
                results.stream().flatMap(result -> result.differences().stream()).forEach(d -> out.println("  " + d));
            }
        }
        out.println(allMatch ? "check: OK — every client matches the source row by row"
                : "check: FAILED — a client differs from the source (see above)");
        out.flush();
        return allMatch ? 0 : 1;
    }

    /** Waits until capture has written everything the source committed, and returns that position. */
    private Lsn awaitCaptured(SourceSettings source, ServerRuntime server) throws Exception {
        server.capture().heartbeatNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(catchUpTimeoutSeconds);
        Lsn target;
        try (Connection connection = source.connect();
             var statement = connection.createStatement();
             var row = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            target = Lsn.parse(row.getString(1));
        }
        CountDownLatch pace = new CountDownLatch(1);
        Lsn captured = server.changeLog().state().orElseThrow().capturePosition();
        while (captured.isBefore(target) && System.nanoTime() < deadline) {
            server.capture().heartbeatNow();
            pace.await(200, TimeUnit.MILLISECONDS);
            captured = server.changeLog().state().orElseThrow().capturePosition();
        }
        return captured;
    }

    private static String progressLine(CaptureStatus status, double changesPerSecond, List<TidemarkClient> clients) {
        StringBuilder line = new StringBuilder(String.format("capture: %,d changes (%,.0f/s) at %s |", status.changes(),
                changesPerSecond, status.confirmedLsn()));
        for (TidemarkClient client : clients) {
            SyncStatus s = client.status();
            line.append(String.format(" %s %s lag %,d B |", s.clientId(), s.state().name().toLowerCase(),
                    Math.max(0, status.confirmedLsn().value() - s.committedLsn().value())));
        }
        return line.toString();
    }
}
