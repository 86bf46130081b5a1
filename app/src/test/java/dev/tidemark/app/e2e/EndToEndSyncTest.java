package dev.tidemark.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.app.demo.DemoSchema;
import dev.tidemark.app.demo.RowCheck;
import dev.tidemark.client.AckMode;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.StoreView;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.client.status.AppliedBatch;
import dev.tidemark.client.status.SyncListener;
import dev.tidemark.client.testing.FaultyStore;
import dev.tidemark.protocol.Lsn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first end-to-end sync: real PostgreSQL, the real server, real sockets, real stores. Every test
 * ends with the client's store equal to the source, row by row, at the server's position.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndSyncTest {

    private static final Duration CONVERGE = Duration.ofSeconds(90);

    @TempDir
    static Path directory;

    private SyncStack stack;

    @BeforeAll
    void start() throws Exception {
        // A small batch bound, so that large transactions travel in parts.
        stack = SyncStack.start(directory, hub -> hub.batchMaxChanges(200).window(4));
        stack.writer().writeTransactions(50);
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private TidemarkClient.Builder client(String clientId) {
        return TidemarkClient.builder()
                .serverUrl(stack.serverUrl())
                .clientId(clientId)
                .token(stack.token(clientId))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
    }

    /** Waits until the client is at the server's position, then compares its store with the source. */
    private void assertConverged(TidemarkClient client) throws Exception {
        Lsn captured = stack.awaitCaptured();
        await().atMost(CONVERGE).until(() -> !client.status().committedLsn().isBefore(captured));
        assertMatchesSource(client.store());
        assertThat(client.status().committedLsn()).isEqualTo(client.store().committedLsn());
    }

    private void assertMatchesSource(StoreView store) throws Exception {
        try (Connection connection = stack.source().connect()) {
            List<RowCheck.TableResult> results = RowCheck.compare(connection, store, DemoSchema.TABLES);
            assertThat(results).allSatisfy(result -> {
                assertThat(result.differences()).as(result.table()).isEmpty();
                assertThat(result.storeRows()).as(result.table()).isEqualTo(result.sourceRows());
            });
            assertThat(results.stream().mapToLong(RowCheck.TableResult::sourceRows).sum()).isPositive();
        }
    }

    @Test
    @DisplayName("a SQLite client and a PostgreSQL client converge to exactly the source rows while a writer commits")
    void sqliteAndPostgresConverge() throws Exception {
        try (TidemarkClient sqlite = client("e2e-sqlite").store("sqlite",
                        Map.of("path", directory.resolve("e2e-sqlite.db").toString())).build().start();
             TidemarkClient postgres = client("e2e-postgres").store("postgres",
                     Map.of("jdbcUrl", stack.clientStoreUrl(), "schema", "e2e_postgres")).build().start()) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> write(200));
            writing.get();
            assertConverged(sqlite);
            assertConverged(postgres);
            // With the writer stopped, both clients reach exactly the server's capture position.
            await().atMost(CONVERGE).untilAsserted(() -> {
                assertThat(sqlite.status().committedLsn()).isEqualTo(stack.capturePosition());
                assertThat(postgres.status().committedLsn()).isEqualTo(stack.capturePosition());
            });
        }
    }

    @Test
    @DisplayName("a source transaction far larger than the batch bound arrives in parts, the first of them while"
            + " capture still writes it, and is applied as one")
    void largeTransactionInParts() throws Exception {
        List<AppliedBatch> applied = new CopyOnWriteArrayList<>();
        try (TidemarkClient client = client("e2e-large").store("sqlite",
                        Map.of("path", directory.resolve("e2e-large.db").toString()))
                .listener(new SyncListener() {
                    @Override
                    public void onBatchApplied(AppliedBatch batch) {
                        applied.add(batch);
                    }
                }).build().start()) {
            client.caughtUp().get(60, java.util.concurrent.TimeUnit.SECONDS);
            // Capture sends no transaction ahead before it has written one whole (the first after its start may be
            // one a previous session had partly written).
            try (Connection connection = stack.source().connect(); Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO audit_log (event) VALUES ('before the bulk')");
            }
            assertConverged(client);
            double aheadBefore = partsAhead();
            // 25,000 rows: more than capture writes in one append (20,000), so chunks are logged before the end.
            try (Connection connection = stack.source().connect(); Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO audit_log (event) SELECT 'bulk ' || g FROM generate_series(1, 25000) g");
            }
            assertConverged(client);
            assertThat(applied).anySatisfy(batch -> {
                assertThat(batch.parts()).isGreaterThan(1);
                assertThat(batch.changes()).isGreaterThanOrEqualTo(25000);
            });
            assertThat(partsAhead()).as("parts sent while capture was still writing the transaction")
                    .isGreaterThan(aheadBefore);
        }
    }

    private double partsAhead() {
        io.micrometer.core.instrument.Counter counter = stack.meters().find("tidemark.hub.parts.ahead").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    @DisplayName("a store that fails on a chosen batch causes an error ack, a resend, and convergence")
    void failingStoreIsResent() throws Exception {
        FaultyStore store = new FaultyStore(SyncStores.open("sqlite",
                Map.of("path", directory.resolve("e2e-failing.db").toString())));
        store.failNthApply(3, 0);
        try (TidemarkClient client = client("e2e-failing").store(store).build().start()) {
            // Caught up first: the writes then arrive as live batches, so the third apply is one of them (written
            // before, they could all land in the client's bootstrap snapshot, leaving fewer than three applies).
            client.caughtUp().get(CONVERGE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            write(60);
            assertConverged(client);
            assertThat(store.injectedFailures()).isEqualTo(1);
        } finally {
            store.close();
        }
    }

    @Test
    @DisplayName("a connection dropped under the client resumes from the committed LSN and converges")
    void droppedConnectionResumes() throws Exception {
        try (TcpProxy proxy = new TcpProxy(stack.port());
             TidemarkClient client = TidemarkClient.builder()
                     .serverUrl("ws://127.0.0.1:" + proxy.port() + "/sync")
                     .clientId("e2e-dropped")
                     .token(stack.token("e2e-dropped"))
                     .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                     .store("sqlite", Map.of("path", directory.resolve("e2e-dropped.db").toString()))
                     .build().start()) {
            AtomicInteger cuts = new AtomicInteger();
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> write(150));
            while (!writing.isDone() || cuts.get() < 3) {
                int before = proxy.accepted();
                await().atMost(CONVERGE).until(() -> client.status().connected() && client.status().appliedBatches() > 0);
                proxy.cutAll();
                cuts.incrementAndGet();
                await().atMost(CONVERGE).until(() -> proxy.accepted() > before);
            }
            writing.get();
            assertConverged(client);
            assertThat(proxy.accepted()).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    @DisplayName("a client in the legacy (eager, no-ack) mode still syncs")
    void legacyModeSyncs() throws Exception {
        try (TidemarkClient client = client("e2e-legacy").ackMode(AckMode.EAGER)
                .store("sqlite", Map.of("path", directory.resolve("e2e-legacy.db").toString())).build().start()) {
            write(40);
            assertConverged(client);
        }
    }

    @Test
    @DisplayName("a client JVM killed with kill -9 mid-sync, restarted, converges with nothing lost or doubled")
    void killedClientConverges() throws Exception {
        Path database = directory.resolve("e2e-killed.db");
        // The writer keeps committing until the last kill, so every kill lands on a client that is syncing (a
        // fixed 300 transactions used to end first: the later children then waited ~30 s per idle batch).
        AtomicBoolean killing = new AtomicBoolean(true);
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            int written = 0;
            while (written < 300 || (killing.get() && written < 5_000)) {
                write(10);
                written += 10;
            }
        });
        try {
            for (int run = 0; run < 3; run++) {
                Process child = startClientProcess(database, Redirect.PIPE);
                awaitAppliedLines(child, 3);
                child.destroyForcibly().waitFor();
            }
        } finally {
            killing.set(false);
        }
        writing.get();
        Process last = startClientProcess(database, Redirect.DISCARD);
        try {
            Lsn captured = stack.awaitCaptured();
            await().atMost(CONVERGE).until(() -> {
                try (SyncStore store = SyncStores.open("sqlite", Map.of("path", database.toString()))) {
                    return !store.committedLsn().isBefore(captured);
                }
            });
        } finally {
            last.destroy();
            last.waitFor();
        }
        try (SyncStore store = SyncStores.open("sqlite", Map.of("path", database.toString()))) {
            assertMatchesSource(store);
        }
    }

    /** @param output {@code PIPE} to read the child's lines; {@code DISCARD} when nobody reads them (a full pipe would block it) */
    private Process startClientProcess(Path database, Redirect output) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ClientProcessMain.class.getName(),
                stack.serverUrl(), stack.token("e2e-killed"), "e2e-killed", database.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
    }

    private static void awaitAppliedLines(Process child, int lines) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        int seen = 0;
        String line;
        while (seen < lines && (line = reader.readLine()) != null) {
            if (line.startsWith("applied ")) {
                seen++;
            }
        }
        assertThat(seen).as("batches the child applied before it was killed").isEqualTo(lines);
    }

    private void write(int transactions) {
        try {
            stack.writer().writeTransactions(transactions);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
