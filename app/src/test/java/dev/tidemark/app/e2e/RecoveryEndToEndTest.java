package dev.tidemark.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.app.demo.DemoSchema;
import dev.tidemark.app.demo.RowCheck;
import dev.tidemark.client.StoreVerification;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.StoreView;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncListener;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.RetentionPlan;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.spi.ClientProgress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery end to end: real PostgreSQL, the real server with its retention job, real clients and stores.
 * Each test ends with the store equal to the source row by row, and a {@code sync_verify} whose checksum
 * the server accepts — so nothing was skipped or applied twice, across snapshots too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecoveryEndToEndTest {

    private static final Duration CONVERGE = Duration.ofSeconds(90);

    @TempDir
    static Path directory;

    private SyncStack stack;

    @BeforeAll
    void start() throws Exception {
        // The retention job keeps at most one change and waits for nobody; it runs only when a test runs it.
        RetentionPolicy trimEverything = new RetentionPolicy(Duration.ZERO, Duration.ofDays(30), 1, 0.2);
        stack = SyncStack.start(directory, hub -> hub.batchMaxChanges(200).window(4).verifyInterval(Duration.ZERO)
                .resyncRatePerSecond(20).resyncBurst(4), trimEverything, Duration.ofHours(1));
        stack.writer().writeTransactions(40);
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private TidemarkClient.Builder client(String clientId, Path database) {
        return TidemarkClient.builder()
                .serverUrl(stack.serverUrl())
                .clientId(clientId)
                .token(stack.token(clientId))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .store("sqlite", Map.of("path", database.toString()));
    }

    /** Waits until the client is at the server's position, compares its store with the source, and verifies. */
    private void assertConvergedAndVerified(TidemarkClient client) throws Exception {
        Lsn captured = stack.awaitCaptured();
        await().atMost(CONVERGE).until(() -> client.status().state() == ClientState.CONNECTED
                && !client.status().committedLsn().isBefore(captured));
        assertMatchesSource(client.store());
        StoreVerification verified = client.verify().get(30, TimeUnit.SECONDS);
        assertThat(verified.outcome()).as("verify after convergence").isIn(StoreVerification.Outcome.UP_TO_DATE,
                StoreVerification.Outcome.CHANGES_FOLLOW);
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

    /** Trims the change history with the retention job (it keeps one change at most) and returns the plan. */
    private RetentionPlan trimWithRetentionJob() throws Exception {
        stack.awaitCaptured();
        // The closed clients' progress rows say "disconnected" once their sessions ended on the server.
        await().atMost(CONVERGE).until(() -> {
            stack.server().hub().flushProgress();
            return stack.server().changeLog().progress().stream().noneMatch(ClientProgress::connected);
        });
        RetentionPlan plan = stack.server().retention().runOnce().orElseThrow();
        assertThat(plan.trimThrough()).isPresent();
        assertThat(stack.server().changeLog().state().orElseThrow().retainedFrom()).isEqualTo(plan.trimThrough().get());
        return plan;
    }

    private double verifies(String status) {
        var counter = stack.meters().find("tidemark.hub.verifies").tag("status", status).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    @DisplayName("a client behind the retained history resyncs from a snapshot (state RESYNCING) and converges; its checksum verifies")
    void behindRetentionResyncs() throws Exception {
        Path database = directory.resolve("behind.db");
        try (TidemarkClient client = client("behind", database).build().start()) {
            assertConvergedAndVerified(client);
        }
        stack.writer().writeTransactions(30);
        RetentionPlan plan = trimWithRetentionJob();
        assertThat(plan.losingClients()).contains("behind");

        List<ClientState> states = new CopyOnWriteArrayList<>();
        try (TidemarkClient client = client("behind", database).listener(new SyncListener() {
            @Override
            public void onStateChanged(ClientState previous, ClientState current) {
                states.add(current);
            }
        }).build().start()) {
            stack.writer().writeTransactions(20);
            assertConvergedAndVerified(client);
            assertThat(states).contains(ClientState.RESYNCING);
            assertThat(client.store().metadata("tidemark.resync")).hasValue("");
        }
    }

    @Test
    @DisplayName("a new client starting at 0/0 after the history was trimmed converges from a snapshot, not an error")
    void newClientAfterTrim() throws Exception {
        stack.writer().writeTransactions(10);
        trimWithRetentionJob();
        try (TidemarkClient client = client("fresh", directory.resolve("fresh.db")).build().start()) {
            stack.writer().writeTransactions(10);
            assertConvergedAndVerified(client);
        }
    }

    @Test
    @DisplayName("a row deleted behind the client's back (through the store, outside the stream) is caught by the checksum on verify and repaired by a resync")
    void tamperedStoreIsDetected() throws Exception {
        Path database = directory.resolve("tampered.db");
        try (TidemarkClient client = client("tampered", database).build().start()) {
            assertConvergedAndVerified(client);
        }
        // Capture moves past the tampered position, so the server continues the client from there.
        stack.writer().writeTransactions(3);
        stack.awaitCaptured();
        String victim;
        try (SyncStore store = SyncStores.open("sqlite", Map.of("path", database.toString()))) {
            List<String> ids = new ArrayList<>();
            store.forEach("customers", (id, json) -> ids.add(id));
            victim = ids.get(0);
            Lsn at = store.committedLsn();
            // One byte past a commit position is never another transaction's commit position.
            store.apply(new ChangeBatch("tamper", at, Lsn.of(at.value() + 1),
                    List.of(Change.delete("customers", victim, Instant.now()))));
            assertThat(store.get("customers", victim)).isEmpty();
        }
        double mismatchesBefore = verifies("resync_required");
        try (TidemarkClient client = client("tampered", database).build().start()) {
            await().atMost(CONVERGE).until(() -> client.status().state() == ClientState.CONNECTED);
            StoreVerification verdict = client.verify().get(30, TimeUnit.SECONDS);
            assertThat(verdict.outcome()).isEqualTo(StoreVerification.Outcome.RESYNC_REQUIRED);
            assertThat(verdict.snapshotLsn()).isNotNull();
            assertThat(verifies("resync_required")).isGreaterThan(mismatchesBefore);
            assertConvergedAndVerified(client);
            assertThat(client.store().get("customers", victim)).isPresent();
        }
    }

    @Test
    @DisplayName("an interrupted apply (pending marker ahead of the committed LSN) is detected at startup and verified with the server")
    void interruptedApplyIsVerified() throws Exception {
        Path database = directory.resolve("interrupted.db");
        try (TidemarkClient client = client("interrupted", database).build().start()) {
            assertConvergedAndVerified(client);
        }
        try (SyncStore store = SyncStores.open("sqlite", Map.of("path", database.toString()))) {
            store.recordPending(Lsn.of(store.committedLsn().value() + 4096));
        }
        double verifiesBefore = verifies("up_to_date") + verifies("changes_follow");
        try (TidemarkClient client = client("interrupted", database).build().start()) {
            await().atMost(CONVERGE).until(() -> verifies("up_to_date") + verifies("changes_follow") > verifiesBefore);
            await().atMost(CONVERGE).until(() -> client.store().pendingLsn().isEmpty());
            stack.writer().writeTransactions(5);
            assertConvergedAndVerified(client);
        }
    }

    @Test
    @DisplayName("a resync interrupted by kill -9 of the client JVM starts over and converges; the store never claims to be complete meanwhile")
    void resyncKilledStartsOver() throws Exception {
        Path database = directory.resolve("killed-resync.db");
        try (TidemarkClient client = client("killed-resync", database).build().start()) {
            assertConvergedAndVerified(client);
        }
        // A large table, so the snapshot takes a while to load.
        try (Connection connection = stack.source().connect(); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO audit_log (event) SELECT 'resync ' || g FROM generate_series(1, 30000) g");
        }
        trimWithRetentionJob();

        Process child = startClientProcess(database);
        try {
            awaitLine(child, "state RESYNCING");
        } finally {
            child.destroyForcibly().waitFor();
        }
        try (SyncStore store = SyncStores.open("sqlite", Map.of("path", database.toString()))) {
            // Killed while loading: still marked resyncing, and nothing of the snapshot was committed.
            assertThat(store.metadata("tidemark.resync")).hasValueSatisfying(marker -> assertThat(marker).isNotEmpty());
            assertThat(store.committedLsn()).isEqualTo(Lsn.ZERO);
        }
        try (TidemarkClient client = client("killed-resync", database).build().start()) {
            stack.writer().writeTransactions(5);
            assertConvergedAndVerified(client);
            assertThat(client.store().metadata("tidemark.resync")).hasValue("");
        }
    }

    private Process startClientProcess(Path database) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ClientProcessMain.class.getName(),
                stack.serverUrl(), stack.token("killed-resync"), "killed-resync", database.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void awaitLine(Process child, String expected) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith(expected)) {
                return;
            }
        }
        throw new AssertionError("the client process ended without printing '" + expected + "'");
    }
}
