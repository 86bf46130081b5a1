package dev.tidemark.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.OperatingSystemMXBean;
import dev.tidemark.app.demo.DemoSchema;
import dev.tidemark.app.demo.DemoWriter;
import dev.tidemark.app.demo.RowCheck;
import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.status.AppliedBatch;
import dev.tidemark.client.status.SyncListener;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * permessage-deflate end to end: the real server with compression on, the real client with and without it, through a
 * byte-counting TCP proxy. The store ends equal to the source either way; the compressed catch-up moves far fewer
 * bytes. {@link #catchUpFigures} (run with {@code -Dtidemark.compression.benchmark=true}) prints the figures of
 * docs/protocol.md, "Compression".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressionEndToEndTest {

    private static final String SECRET = "end-to-end-test-secret-of-at-least-32-bytes";
    private static final Duration CONVERGE = Duration.ofSeconds(120);

    @TempDir
    static Path directory;

    private EmbeddedSource postgres;
    private ServerRuntime server;
    private final TokenSigner tokens = new TokenSigner(SECRET, Clock.systemUTC());
    private int clients;

    @BeforeAll
    void start() throws Exception {
        postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("pg")));
        try (Connection connection = postgres.settings().connect()) {
            DemoSchema.create(connection);
        }
        SyncServerConfig sync = new SyncServerConfig(
                HttpConfig.builder().bindAddress("127.0.0.1").port(0).compression(true).build(),
                HubConfig.builder().build(), AuthConfig.withSecret(SECRET));
        server = ServerRuntime.start(new ServerRuntime.Settings(postgres.settings(), "postgres", Optional.empty(),
                CaptureSettings.builder().tables(DemoSchema.TABLES).heartbeatInterval(Duration.ofSeconds(30)).build(),
                sync, new SimpleMeterRegistry(), RetentionPolicy.defaults(), Duration.ofHours(1)));
        // Updates, deletes and out-of-line (TOASTed) values, then plain inserts.
        new DemoWriter(postgres.settings(), 1000, new Random(42)).writeTransactions(100);
        insertOrders(5_000, 1_000);
    }

    @AfterAll
    void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    /** {@code rows} new orders in transactions of {@code perTransaction} rows: JSON like a real order's. */
    private void insertOrders(int rows, int perTransaction) throws Exception {
        try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement()) {
            for (int done = 0; done < rows; done += perTransaction) {
                statement.execute("INSERT INTO orders (customer_id, status, amount, items) SELECT gen_random_uuid(),"
                        + " (ARRAY['placed','paid','packed','shipped'])[1 + g % 4], (g % 10000) / 100.0,"
                        + " jsonb_build_array(jsonb_build_object('sku', 'sku-' || (g % 997), 'qty', 1 + g % 5,"
                        + " 'price', (g % 5000) / 100.0)) FROM generate_series(" + (done + 1) + ", "
                        + Math.min(rows, done + perTransaction) + ") g");
            }
        }
    }

    private Lsn awaitCaptured() throws Exception {
        Lsn target;
        try (Connection connection = postgres.settings().connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            target = Lsn.parse(row.getString(1));
        }
        server.capture().heartbeatNow();
        await().atMost(CONVERGE).until(() -> !capturePosition().isBefore(target));
        return capturePosition();
    }

    private Lsn capturePosition() {
        return server.changeLog().state().orElseThrow().capturePosition();
    }

    /** What one catch-up of a new client cost; {@code changes} as the client applied them. */
    record CatchUp(boolean compression, long changes, long bytesFromServer, long bytesToServer, long cpuNanos,
                   long elapsedNanos) {
        double bytesPerChange() {
            return (double) bytesFromServer / changes;
        }

        double cpuMicrosPerChange() {
            return cpuNanos / 1000.0 / changes;
        }
    }

    /** A new SQLite client catches up through a counting proxy; the store is then compared with the source. */
    private CatchUp catchUp(boolean compression) throws Exception {
        Lsn captured = awaitCaptured();
        String clientId = "compression-" + compression + "-" + (++clients);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        AtomicLong changes = new AtomicLong();
        try (CountingProxy proxy = new CountingProxy(server.port())) {
            long cpuBefore = os.getProcessCpuTime();
            long start = System.nanoTime();
            try (TidemarkClient client = TidemarkClient.builder()
                    .serverUrl("ws://127.0.0.1:" + proxy.port() + "/sync")
                    .token(tokens.mint(clientId, Set.of("*"), Duration.ofHours(1)))
                    .compression(compression)
                    .store("sqlite", Map.of("path", directory.resolve(clientId + ".db").toString()))
                    .listener(new SyncListener() {
                        @Override
                        public void onBatchApplied(AppliedBatch batch) {
                            changes.addAndGet(batch.changes());
                        }
                    })
                    .build().start()) {
                await().atMost(CONVERGE).pollInterval(Duration.ofMillis(10))
                        .until(() -> !client.status().committedLsn().isBefore(captured));
                long elapsed = System.nanoTime() - start;
                long cpu = os.getProcessCpuTime() - cpuBefore - proxy.cpuNanos();
                try (Connection source = postgres.settings().connect()) {
                    List<RowCheck.TableResult> results = RowCheck.compare(source, client.store(), DemoSchema.TABLES);
                    assertThat(results).allSatisfy(result -> {
                        assertThat(result.differences()).as(result.table()).isEmpty();
                        assertThat(result.storeRows()).as(result.table()).isEqualTo(result.sourceRows());
                    });
                }
                return new CatchUp(compression, changes.get(), proxy.fromServer(), proxy.toServer(), cpu, elapsed);
            }
        }
    }

    @Test
    @DisplayName("a compressing client syncs exactly the source rows, with far fewer bytes than an uncompressed one")
    void compressedCatchUpEqualsSource() throws Exception {
        CatchUp plain = catchUp(false);
        CatchUp compressed = catchUp(true);
        assertThat(compressed.changes()).isEqualTo(plain.changes()).isGreaterThan(5_000);
        assertThat(compressed.bytesFromServer()).as("bytes from the server, compressed vs plain %s", plain)
                .isLessThan(plain.bytesFromServer() / 3);
        assertThat(compressed.bytesToServer()).as("bytes to the server (hello, acks)").isPositive();
    }

    @Test
    @EnabledIfSystemProperty(named = "tidemark.compression.benchmark", matches = "true")
    @DisplayName("figures: bytes on the wire and CPU per change of a 100,000-change catch-up, with and without")
    void catchUpFigures() throws Exception {
        int changes = Integer.getInteger("tidemark.compression.changes", 100_000);
        insertOrders(changes, 1_000);
        catchUp(false);
        catchUp(true);
        List<CatchUp> runs = new ArrayList<>();
        for (boolean compression : new boolean[] {false, true, true, false, false, true}) {
            runs.add(catchUp(compression));
        }
        System.out.printf("%ncatch-up of %,d changes (the whole log), SQLite store, loopback;"
                + " CPU = the JVM's (server + client) without the proxy's%n", runs.get(0).changes());
        System.out.printf("%-12s %14s %12s %12s %14s %12s%n", "compression", "bytes", "bytes/chg", "to server",
                "CPU us/chg", "seconds");
        for (CatchUp run : runs) {
            System.out.printf("%-12s %,14d %12.1f %,12d %14.2f %12.2f%n", run.compression() ? "on" : "off",
                    run.bytesFromServer(), run.bytesPerChange(), run.bytesToServer(), run.cpuMicrosPerChange(),
                    run.elapsedNanos() / 1e9);
        }
    }

    /** A loopback TCP proxy that counts the bytes each way and the CPU its own threads spent. */
    private static final class CountingProxy implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final int targetPort;
        private final AtomicLong fromServer = new AtomicLong();
        private final AtomicLong toServer = new AtomicLong();
        private final AtomicLong cpu = new AtomicLong();
        private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        CountingProxy(int targetPort) throws IOException {
            this.targetPort = targetPort;
            start(this::accept);
        }

        int port() {
            return listener.getLocalPort();
        }

        long fromServer() {
            return fromServer.get();
        }

        long toServer() {
            return toServer.get();
        }

        /** CPU of the proxy's threads so far (each adds its own as it ends, and the live ones now). */
        long cpuNanos() {
            long live = 0;
            for (Thread thread : threads) {
                long nanos = ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId());
                live += Math.max(0, nanos);
            }
            return cpu.get() + live;
        }

        private void start(Runnable task) {
            Thread thread = new Thread(() -> {
                try {
                    task.run();
                } finally {
                    threads.remove(Thread.currentThread());
                    cpu.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
                }
            }, "counting-proxy");
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    sockets.add(client);
                    sockets.add(target);
                    start(() -> pipe(client, target, toServer));
                    start(() -> pipe(target, client, fromServer));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void pipe(Socket from, Socket to, AtomicLong counter) {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    counter.addAndGet(read);
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException ignored) {
                // Closed.
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // Already closed.
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
