package dev.tidemark.app.demo;

import dev.tidemark.app.cli.DurationConverter;
import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.status.SyncStatus;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.capture.CaptureStatus;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.runtime.ServerRuntime;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
                + " the source, row by row.", "While it runs, DIR/tidemark.properties holds its settings for"
                + " 'tidemark status|check|token -c DIR/tidemark.properties'."})
public final class DemoCommand implements Callable<Integer> {

    /** The file, in the demo's directory, holding the settings the other commands read with {@code -c}. */
    public static final String SETTINGS_FILE = "tidemark.properties";

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "stop after this long: 20 (seconds), 90s, 5m (default: run until Ctrl-C)")
    Duration duration;

    @Option(names = "--clients", defaultValue = "3", description = "how many clients sync (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--rate", defaultValue = "40",
            description = "source transactions per second the writer commits (default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--dir", defaultValue = ".tidemark/demo",
            description = "where the demo keeps PostgreSQL's data, its settings and the clients' SQLite files"
                    + " (default ${DEFAULT-VALUE})")
    Path directory;

    @Option(names = "--port", defaultValue = "8080", description = "the sync endpoint's port; 0 for any free one"
            + " (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--catch-up-timeout", defaultValue = "120", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "how long the final check waits for clients to catch up (default ${DEFAULT-VALUE} seconds)")
    Duration catchUpTimeout;

    /** What the demo is doing, for the line that says why the check was skipped. */
    private volatile String phase = "starting";

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Files.createDirectories(directory);
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C (SIGINT) or SIGTERM: end the run the same way --duration does, and keep the JVM alive until the
        // check is printed and everything, PostgreSQL last, is stopped. Nothing else stops PostgreSQL: the embedded
        // library's own shutdown hook is off (EmbeddedPostgresStarter).
        Thread stopHook = new Thread(() -> {
            if (finished.getCount() > 0) {
                out.println("demo: stopping (Ctrl-C): the writer stops, then the clients catch up and are checked");
                out.flush();
            }
            stopRequested.countDown();
            try {
                finished.await(catchUpTimeout.toSeconds() + 120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tidemark-demo-stop");
        Runtime.getRuntime().addShutdownHook(stopHook);
        phase = "checking the server's port";
        HttpConfig http = HttpConfig.builder().bindAddress("127.0.0.1").port(port).build();
        try {
            ServerRuntime.checkPortFree(http);
            phase = "starting the embedded PostgreSQL";
            return run(out, stopRequested, http);
        } catch (Exception | Error e) {
            out.println("check: skipped — the demo failed while " + phase + " (why follows)");
            out.flush();
            throw e;
        } finally {
            out.println("demo: stopped" + (stopRequested.getCount() == 0 ? " (Ctrl-C)" : "")
                    + "; the server, the clients and PostgreSQL are down");
            out.flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stopHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs and returns now that the demo has finished
            }
        }
    }

    private int run(PrintWriter out, CountDownLatch stopRequested, HttpConfig http) throws Exception {
        try (EmbeddedSource postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("postgres")))) {
            SourceSettings source = postgres.settings();
            phase = "creating the demo schema";
            try (Connection connection = source.connect()) {
                DemoSchema.create(connection);
            }
            phase = "starting the server";
            DemoSettings settings = DemoSettings.write(directory.resolve(SETTINGS_FILE), postgres, port);
            SyncServerConfig sync = new SyncServerConfig(http, HubConfig.defaults(), AuthConfig.withSecret(settings.secret()));
            CaptureSettings capture = CaptureSettings.builder().tables(DemoSchema.TABLES).build();
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (ServerRuntime server = ServerRuntime.start(new ServerRuntime.Settings(source,
                    "postgres", Optional.empty(), capture, sync,
                    meters))) {
                if (server.port() != port) {
                    settings = DemoSettings.write(directory.resolve(SETTINGS_FILE), postgres, server.port());
                }
                printIntroduction(out, postgres, server.port(), settings);
                List<TidemarkClient> syncing = new ArrayList<>();
                try {
                    phase = "starting the demo's clients";
                    TokenSigner tokens = new TokenSigner(settings.secret(), Clock.systemUTC());
                    for (int i = 1; i <= clients; i++) {
                        String clientId = "demo-client-" + i;
                        syncing.add(TidemarkClient.builder()
                                .serverUrl("ws://127.0.0.1:" + server.port() + "/sync")
                                .token(tokens.mint(clientId, Set.of("*"), Duration.ofDays(1)))
                                .store("sqlite", Map.of("path", directory.resolve(clientId + ".db").toString()))
                                .build()
                                .start());
                    }
                    DemoWriter writer = new DemoWriter(source, rate, new Random());
                    Thread writing = new Thread(writer, "tidemark-demo-writer");
                    writing.start();
                    phase = "running";
                    long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
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
                    phase = "checking the clients";
                    return finalCheck(out, source, server, syncing);
                } finally {
                    syncing.forEach(TidemarkClient::close);
                }
            }
        }
    }

    private void printIntroduction(PrintWriter out, EmbeddedSource postgres, int serverPort, DemoSettings settings) {
        String config = directory.resolve(SETTINGS_FILE).toString();
        out.printf("demo: PostgreSQL at %s?user=%s, server at ws://127.0.0.1:%d/sync, %d clients in %s%n",
                postgres.settings().jdbcUrl(), EmbeddedSource.SUPERUSER, serverPort, clients, directory.toAbsolutePath());
        out.printf("demo: sync a client of your own while it runs (its id, my-client, comes from the token):%n"
                        + "  ./tidemark-client --server ws://127.0.0.1:%d/sync --token %s --file my-client.db%n",
                serverPort, new TokenSigner(settings.secret(), Clock.systemUTC()).mint("my-client", Set.of("*"),
                        Duration.ofDays(1)));
        out.printf("demo: the demo's settings (with its token secret, mode 0600) are in %s; while it runs:%n"
                + "  ./tidemark status -c %s                         # the clients' positions and lag%n"
                + "  ./tidemark token -c %s --client-id another-client  # a token for another client%n"
                + "  ./tidemark check -c %s                          # is the PostgreSQL ready for capture%n",
                config, config, config, config);
        out.flush();
    }

    private int finalCheck(PrintWriter out, SourceSettings source, ServerRuntime server, List<TidemarkClient> syncing)
            throws Exception {
        Lsn target = awaitCaptured(source, server);
        long deadline = System.nanoTime() + catchUpTimeout.toNanos();
        CountDownLatch pace = new CountDownLatch(1);
        while (syncing.stream().anyMatch(client -> !client.status().state().isTerminal()
                && client.status().committedLsn().isBefore(target))
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
                if (status.state().isTerminal()) {
                    client.stopped().thenAccept(stop -> out.println("  " + status.clientId() + ": " + stop.getMessage()));
                }
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
        long deadline = System.nanoTime() + catchUpTimeout.toNanos();
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
