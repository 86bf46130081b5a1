package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.client;
import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.AckMode;
import dev.tidemark.client.StoreVerification;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.client.status.SyncListener;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.InterruptedApply;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A client in its other modes: eager, verify, resync")
class ModesTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ScriptedServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private void assertConverged(SyncStore store) {
        Lsn head = server.history().head();
        assertThat(store.committedLsn()).isEqualTo(head);
        assertThat(store.committedChecksum()).isEqualTo(server.history().checksumUpTo(head));
        assertThat(ExpectedState.of(server.history().changesUpTo(head)).differencesFrom(store)).isEmpty();
    }

    @Test
    @DisplayName("in eager (legacy) mode declares no ack capability, sends no acks, and still syncs")
    void eager() throws Exception {
        server = ScriptedServer.builder().batchMaxChanges(20).start();
        server.history().appendAll(Workload.standard(21).transactions(40, 10));
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = client(server, store).ackMode(AckMode.EAGER).build().start()) {
            client.caughtUp().get(30, TimeUnit.SECONDS);
            assertConverged(store);
        }
        assertThat(server.hellos().get(0).capabilities()).containsExactly("verify");
        assertThat(server.acks()).isEmpty();
    }

    @Test
    @DisplayName("in eager mode a batch the store failed makes the client reconnect from its committed LSN, and it converges")
    void eagerStoreFailure() throws Exception {
        server = ScriptedServer.builder().batchMaxChanges(10).start();
        List<Transaction> transactions = server.history().appendAll(Workload.standard(22).transactions(30, 10));
        try (FaultyStore store = new FaultyStore(sqlite(dir.resolve("client.db")))) {
            store.failOnce(transactions.get(9).lsn(), 3);
            try (TidemarkClient client = client(server, store).ackMode(AckMode.EAGER).build().start()) {
                await().atMost(LONG).until(() -> server.hellos().size() >= 2);
                assertThat(server.hellos().get(1).lastLsn()).isEqualTo(transactions.get(8).lsn());
                client.caughtUp().get(30, TimeUnit.SECONDS);
                assertConverged(store);
            }
        }
        assertThat(server.acks()).isEmpty();
    }

    @Test
    @DisplayName("verify() sends the committed LSN with the checksum of everything applied and returns the server's answer")
    void verify() throws Exception {
        server = ScriptedServer.builder().start();
        server.history().appendAll(Workload.standard(23).transactions(10, 10));
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = client(server, store).build().start()) {
            client.caughtUp().get(30, TimeUnit.SECONDS);
            StoreVerification result = client.verify().get(10, TimeUnit.SECONDS);
            assertThat(result.outcome()).isEqualTo(StoreVerification.Outcome.UP_TO_DATE);
            assertThat(result.position()).isEqualTo(server.history().head());
            SyncVerify sent = server.verifies().get(0);
            assertThat(sent.clientId()).isEqualTo(client.clientId());
            assertThat(sent.lastLsn()).isEqualTo(store.committedLsn());
            assertThat(sent.checksum()).isEqualTo(store.committedChecksum());
        }
    }

    @Test
    @DisplayName("verify() fails clearly when the client is not connected")
    void verifyWhileDisconnected() throws Exception {
        ScriptedServer probe = ScriptedServer.builder().start();
        java.net.URI gone = probe.uri();
        probe.close();
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = TidemarkClient.builder().serverUri(gone).store(store).build().start()) {
            assertThat(client.verify()).failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withMessageContaining("not connected");
        }
    }

    @Test
    @DisplayName("after an interrupted apply (pending marker ahead of the committed LSN) verifies with the server, then clears the marker")
    void startupVerify() throws Exception {
        server = ScriptedServer.builder().start();
        server.history().appendAll(Workload.standard(24).transactions(5, 10));
        Path file = dir.resolve("client.db");
        try (SyncStore store = sqlite(file);
             TidemarkClient client = client(server, store).build().start()) {
            client.caughtUp().get(30, TimeUnit.SECONDS);
        }
        Lsn committed;
        try (SyncStore store = sqlite(file)) {
            committed = store.committedLsn();
            store.recordPending(Lsn.of(committed.value() + 0x100)); // as if the process died in the next apply
        }
        server.history().appendAll(Workload.standard(25).transactions(3, 10));
        try (SyncStore store = sqlite(file)) {
            TidemarkClient client = client(server, store).build().start();
            // Once verified, the interrupted apply's marker is gone: cleared, or replaced by the one the
            // client keeps while it applies batches (with a store that keeps it on commit).
            await().atMost(LONG).until(() -> server.verifies().size() == 1
                    && store.pendingLsn().filter(marker -> !marker.equals(InterruptedApply.KEPT_MARKER)).isEmpty());
            SyncVerify verify = server.verifies().get(0);
            assertThat(verify.lastLsn()).isEqualTo(committed);
            assertThat(verify.checksum()).isEqualTo(server.history().checksumUpTo(committed));
            client.caughtUp().get(30, TimeUnit.SECONDS);
            assertConverged(store);
            client.close();
            assertThat(store.pendingLsn()).as("no marker after a clean close").isEmpty();
        }
    }

    @Test
    @DisplayName("keeps one pending marker while it applies batches (no durable write per batch), removes it on a clean"
            + " close; a start that finds it verifies with the server")
    void keptMarker() throws Exception {
        server = ScriptedServer.builder().batchMaxChanges(10).start();
        server.history().appendAll(Workload.standard(27).transactions(20, 10));
        Path file = dir.resolve("client.db");
        try (SyncStore store = sqlite(file)) {
            assertThat(store.canKeepPending()).isTrue();
            TidemarkClient client = client(server, store).build().start();
            client.caughtUp().get(30, TimeUnit.SECONDS);
            assertThat(store.pendingLsn()).as("while running").contains(InterruptedApply.KEPT_MARKER);
            client.close();
            assertThat(store.pendingLsn()).as("after a clean close").isEmpty();
            store.recordPending(InterruptedApply.KEPT_MARKER); // as if the process had died while running
        }
        server.history().appendAll(Workload.standard(28).transactions(3, 10));
        try (SyncStore store = sqlite(file);
             TidemarkClient client = client(server, store).build().start()) {
            await().atMost(LONG).until(() -> server.verifies().size() == 1);
            client.caughtUp().get(30, TimeUnit.SECONDS);
            assertConverged(store);
        }
        assertThat(server.violations()).isEmpty();
    }

    @Test
    @DisplayName("stops streaming and reports resync required when the server's history is not the store's")
    void resyncRequired() throws Exception {
        server = ScriptedServer.builder().start();
        server.history().appendAll(Workload.standard(26).transactions(5, 10));
        Path file = dir.resolve("client.db");
        try (SyncStore store = sqlite(file);
             TidemarkClient client = client(server, store).build().start()) {
            client.caughtUp().get(30, TimeUnit.SECONDS);
        }
        server.historyId("scripted-history-2");
        TestClients.Errors errors = new TestClients.Errors();
        try (SyncStore store = sqlite(file);
             TidemarkClient client = client(server, store).listener(errors).build().start()) {
            long checksum = store.committedChecksum();
            await().atMost(LONG).until(() -> client.status().state() == ClientState.RESYNC_REQUIRED);
            await().until(() -> errors.kinds().contains(SyncError.Kind.RESYNC_REQUIRED));
            assertThat(errors.seen).filteredOn(error -> error.kind() == SyncError.Kind.RESYNC_REQUIRED).singleElement()
                    .satisfies(error -> assertThat(error.message()).contains("resync_required", "scripted-history-1"));
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> server.connections() == 2);
            assertThat(store.historyId()).contains("scripted-history-1");
            assertThat(store.committedChecksum()).isEqualTo(checksum);
            assertThat(client.caughtUp()).failsWithin(Duration.ofSeconds(1));
        }
    }

    @Test
    @DisplayName("a verify answered resync_required (a checksum the server disagrees with) stops streaming")
    void verifyAnsweredResync() throws Exception {
        server = ScriptedServer.builder().start();
        server.history().appendAll(Workload.standard(27).transactions(5, 10));
        server.verifyAnswer(verify -> new SyncVerifyResult(VerifyStatus.RESYNC_REQUIRED, verify.lastLsn(),
                server.history().head()));
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = client(server, store).build().start()) {
            client.caughtUp().get(30, TimeUnit.SECONDS);
            StoreVerification result = client.verify().get(10, TimeUnit.SECONDS);
            assertThat(result.outcome()).isEqualTo(StoreVerification.Outcome.RESYNC_REQUIRED);
            await().atMost(LONG).until(() -> client.status().state() == ClientState.RESYNC_REQUIRED);
        }
    }

    @Test
    @DisplayName("a resync_required with retryAfterMs (resyncs are paced) makes the client wait in RESYNCING, then reconnect after that long")
    void pacedResyncRetry() throws Exception {
        server = ScriptedServer.builder().start();
        server.history().appendAll(Workload.standard(28).transactions(3, 5));
        List<ClientState> states = new CopyOnWriteArrayList<>();
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = client(server, store).listener(new SyncListener() {
                 @Override
                 public void onStateChanged(ClientState previous, ClientState current) {
                     states.add(current);
                 }
             }).build().start()) {
            client.caughtUp().get(30, TimeUnit.SECONDS);
            server.send(SyncVerifyResult.retryLater(store.committedLsn(), server.history().head(), 400));
            await().atMost(LONG).until(() -> states.contains(ClientState.RESYNCING));
            long closedAt = System.nanoTime();
            server.closeAll(1000, "resync paced");
            await().atMost(LONG).until(() -> server.connections() == 2);
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(350));
            await().atMost(LONG).until(() -> client.status().state() == ClientState.CONNECTED);
            assertThat(states).doesNotContain(ClientState.RESYNC_REQUIRED);
            server.history().appendAll(Workload.standard(29).transactions(2, 5));
            await().atMost(LONG).until(() -> store.committedLsn().equals(server.history().head()));
            assertConverged(store);
        }
    }
}

