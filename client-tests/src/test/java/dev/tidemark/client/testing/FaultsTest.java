package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.client;
import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.ReconnectBackoff;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.AppliedBatch;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.client.status.SyncListener;
import dev.tidemark.protocol.AckStatus;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncAck;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A client meeting faults")
class FaultsTest {

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

    private static void assertConverged(ScriptedServer server, SyncStore store) {
        Lsn head = server.history().head();
        assertThat(store.committedLsn()).isEqualTo(head);
        assertThat(store.committedChecksum()).as("checksum of every change applied, once each")
                .isEqualTo(server.history().checksumUpTo(head));
        assertThat(ExpectedState.of(server.history().changesUpTo(head)).differencesFrom(store)).isEmpty();
    }

    /** {@code count} updates of distinct ids of entity type {@code type}, as one transaction. */
    private static List<Change> rows(String type, int count) {
        List<Change> changes = new ArrayList<>(count);
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        for (int i = 0; i < count; i++) {
            changes.add(Change.update(type, Integer.toString(i), "{\"id\":" + i + ",\"payload\":\"row " + i + "\"}", now));
        }
        return changes;
    }

    /**
     * Reads {@code store.count(type)} on another thread about every half millisecond until stopped,
     * collecting every value seen: a reader running beside the applier. (The pause paces the reads so
     * that they do not starve the applier of the machine's two cores; it synchronises nothing.)
     */
    private static final class CountWatcher implements AutoCloseable {
        final Set<Long> seen = new ConcurrentSkipListSet<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        CountWatcher(SyncStore store, String type) {
            thread = new Thread(() -> {
                while (running.get()) {
                    seen.add(store.count(type));
                    LockSupport.parkNanos(500_000);
                }
            }, "count-watcher");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    @Test
    @DisplayName("a store failure on a chosen batch is acknowledged error with its text, the server resends, and the client converges")
    void storeFailure() throws Exception {
        server = ScriptedServer.builder().batchMaxChanges(10).start();
        List<Transaction> transactions = server.history().appendAll(Workload.standard(11).transactions(30, 10));
        Lsn failing = transactions.get(9).lsn();
        TestClients.Errors errors = new TestClients.Errors();
        try (FaultyStore store = new FaultyStore(sqlite(dir.resolve("client.db")))) {
            store.failOnce(failing, 5);
            try (TidemarkClient client = client(server, store).listener(errors).build().start()) {
                client.caughtUp().get(30, TimeUnit.SECONDS);
                await().atMost(LONG).until(() -> server.highestSuccessAck().orElse(Lsn.ZERO).equals(server.history().head()));
                assertConverged(server, store);
            }
            assertThat(store.injectedFailures()).isEqualTo(1);
        }
        List<SyncAck> errorAcks = server.acks().stream().filter(ack -> ack.status() == AckStatus.ERROR).toList();
        assertThat(errorAcks).isNotEmpty();
        assertThat(errorAcks.get(0).lsn()).isEqualTo(transactions.get(8).lsn());
        assertThat(errorAcks.get(0).error()).contains("injected storage failure");
        assertThat(server.rewinds()).isEqualTo(1);
        assertThat(errors.kinds()).contains(SyncError.Kind.STORE_FAILURE);
        assertThat(server.violations()).isEmpty();
    }

    @Test
    @DisplayName("a source transaction 100 times the part bound streams into one store transaction: readers see all of it or none")
    void largeTransactionIsAtomic() throws Exception {
        server = ScriptedServer.builder().partMaxChanges(100).streaming(false).start();
        server.history().appendAll(Workload.standard(12).transactions(3, 10));
        Lsn before = server.history().head();
        Lsn big = server.history().append(rows("big", 10_000)).lsn();
        List<AppliedBatch> applied = new CopyOnWriteArrayList<>();
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = client(server, store).listener(new SyncListener() {
                 @Override
                 public void onBatchApplied(AppliedBatch batch) {
                     applied.add(batch);
                 }
             }).build().start()) {
            try (CountWatcher watcher = new CountWatcher(store, "big")) {
                server.streaming(true);
                client.caughtUp().get(60, TimeUnit.SECONDS);
                watcher.close();
                assertThat(watcher.seen).containsAnyOf(0L, 10_000L).isSubsetOf(0L, 10_000L);
            }
            assertConverged(server, store);
            await().until(() -> applied.stream().anyMatch(batch -> batch.lsn().equals(big)));
            AppliedBatch batch = applied.stream().filter(b -> b.lsn().equals(big)).findFirst().orElseThrow();
            assertThat(batch.prevLsn()).isEqualTo(before);
            assertThat(batch.changes()).isEqualTo(10_000);
            assertThat(batch.parts()).isEqualTo(100);
            assertThat(server.acks()).filteredOn(ack -> ack.lsn().equals(big)).singleElement()
                    .satisfies(ack -> assertThat(ack.status()).isEqualTo(AckStatus.SUCCESS));
        }
    }

    @Test
    @DisplayName("a connection dropped in the middle of a multi-part batch rolls it back, then the client resumes from its committed LSN")
    void droppedMidParts() throws Exception {
        server = ScriptedServer.builder().partMaxChanges(100).streaming(false).start();
        server.history().appendAll(Workload.standard(13).transactions(3, 10));
        Lsn before = server.history().head();
        Lsn big = server.history().append(rows("big", 5_000)).lsn();
        server.dropAfterOnce(big, 20);
        TestClients.Errors errors = new TestClients.Errors();
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = client(server, store).listener(errors).build().start()) {
            try (CountWatcher watcher = new CountWatcher(store, "big")) {
                server.streaming(true);
                await().atMost(LONG).until(() -> server.hellos().size() == 2);
                assertThat(server.hellos().get(1).lastLsn()).isEqualTo(before);
                client.caughtUp().get(60, TimeUnit.SECONDS);
                watcher.close();
                assertThat(watcher.seen).isSubsetOf(0L, 5_000L);
            }
            assertConverged(server, store);
            assertThat(server.connections()).isEqualTo(2);
            await().until(() -> errors.kinds().contains(SyncError.Kind.INCOMPLETE_BATCH));
            assertThat(errors.seen).filteredOn(error -> error.kind() == SyncError.Kind.INCOMPLETE_BATCH)
                    .first().satisfies(error -> assertThat(error.message()).containsPattern("after part ([1-9]|1[0-9]|20) of batch").contains("rolls it back"));
        }
    }

    @Test
    @DisplayName("after a lost connection the client resumes from the store's committed LSN, never from what it had received")
    void resumesFromCommittedNotReceived() throws Exception {
        server = ScriptedServer.builder().batchMaxChanges(5).window(8).start();
        List<Transaction> transactions = server.history().appendAll(Workload.standard(14).transactions(20, 5));
        Lsn held = transactions.get(4).lsn();
        Lsn failing = transactions.get(5).lsn();
        List<ClientState> states = new CopyOnWriteArrayList<>();
        try (FaultyStore store = new FaultyStore(sqlite(dir.resolve("client.db")))) {
            CountDownLatch gate = store.hold(held);
            store.failOnce(failing, 2);
            try (TidemarkClient client = client(server, store).listener(new SyncListener() {
                @Override
                public void onStateChanged(ClientState previous, ClientState current) {
                    states.add(current);
                }
            }).build().start()) {
                assertThat(store.awaitArrival(held, 30)).isTrue();
                // The window lets the server send batches 5 to 12 while batch 5 is held: they are received, not applied.
                await().atMost(LONG).until(() -> server.batchesSent() == 12);
                server.dropAll();
                await().atMost(LONG).until(() -> client.status().state() != ClientState.CONNECTED);
                gate.countDown();
                await().atMost(LONG).until(() -> server.hellos().size() == 2);
                // Batch 5 was applied from what had been received; batch 6 failed; 7 to 12 were gaps.
                assertThat(server.hellos().get(1).lastLsn()).isEqualTo(held);
                client.caughtUp().get(30, TimeUnit.SECONDS);
                assertConverged(server, store);
            }
        }
        assertThat(states).containsSubsequence(ClientState.CONNECTED, ClientState.BACKING_OFF,
                ClientState.CONNECTING, ClientState.CONNECTED);
    }

    @Test
    @DisplayName("reconnects with growing, jittered, capped delays while the server is down, then syncs when it is back")
    void backoffWhileServerDown() throws Exception {
        ScriptedServer probe = ScriptedServer.builder().start();
        int port = probe.uri().getPort();
        java.net.URI uri = probe.uri();
        probe.close();
        TestClients.Errors errors = new TestClients.Errors();
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = TidemarkClient.builder().serverUri(uri).store(store).listener(errors)
                     .reconnectBackoff(ReconnectBackoff.of(Duration.ofMillis(20), Duration.ofMillis(160)).withMultiplier(2.0).withJitter(0.5)).build().start()) {
            await().atMost(LONG).until(() -> errors.kinds().stream().filter(SyncError.Kind.CONNECTION::equals).count() >= 7);
            List<Long> delays = errors.seen.stream().filter(error -> error.kind() == SyncError.Kind.CONNECTION)
                    .map(error -> Long.parseLong(error.message().replaceAll(".*reconnecting in (\\d+) ms$", "$1")))
                    .toList();
            for (int attempt = 0; attempt < 7; attempt++) {
                long full = Math.min(160, 20L << attempt);
                assertThat(delays.get(attempt)).as("delay of attempt %d", attempt).isBetween(full / 2, full);
            }
            assertThat(client.status().state()).isIn(ClientState.BACKING_OFF, ClientState.CONNECTING);

            server = ScriptedServer.builder().port(port).start();
            server.history().appendAll(Workload.standard(15).transactions(5, 5));
            client.caughtUp().get(30, TimeUnit.SECONDS);
            assertConverged(server, store);
        }
    }

    @Test
    @DisplayName("closing in the middle of a multi-part batch rolls it back")
    void closeMidParts() throws Exception {
        server = ScriptedServer.builder().partMaxChanges(100).start();
        server.history().appendAll(Workload.standard(16).transactions(2, 10));
        Lsn before = server.history().head();
        Lsn big = server.history().append(rows("big", 3_000)).lsn();
        server.stallAfterOnce(big, 10);
        Path file = dir.resolve("client.db");
        try (SyncStore store = sqlite(file)) {
            TidemarkClient client = client(server, store).build().start();
            await().atMost(LONG).until(() -> client.status().committedLsn().equals(before)
                    && client.status().serverLsn().equals(big));
            client.close();
            assertThat(client.status().state()).isEqualTo(ClientState.CLOSED);
            assertThat(store.committedLsn()).isEqualTo(before);
            assertThat(store.count("big")).isZero();
        }
        try (SyncStore reopened = sqlite(file)) {
            assertThat(reopened.committedLsn()).isEqualTo(before);
            assertThat(reopened.count("big")).isZero();
        }
    }
}
