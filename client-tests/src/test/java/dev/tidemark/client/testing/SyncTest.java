package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.client;
import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.StoreView;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.AppliedBatch;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.client.status.SyncListener;
import dev.tidemark.client.status.SyncStatus;
import dev.tidemark.protocol.AckStatus;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncAck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A client syncing into SQLite")
class SyncTest {

    @TempDir
    Path dir;

    private ScriptedServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("applies every batch, acknowledges each only after its commit, and ends with the server's rows, LSN and checksum")
    void appliesAndAcknowledgesAfterCommit() throws Exception {
        server = ScriptedServer.builder().batchMaxChanges(100).start();
        server.history().appendAll(Workload.standard(1).transactions(60, 20));
        Lsn head = server.history().head();
        try (SyncStore store = sqlite(dir.resolve("client.db"))) {
            List<String> ackedBeforeCommit = new CopyOnWriteArrayList<>();
            server.onReceive(recorded -> {
                if (recorded.message() instanceof SyncAck ack && ack.status() == AckStatus.SUCCESS
                        && store.committedLsn().isBefore(ack.lsn())) {
                    ackedBeforeCommit.add("ack at " + ack.lsn() + " while the store was at " + store.committedLsn());
                }
            });
            List<AppliedBatch> applied = new CopyOnWriteArrayList<>();
            try (TidemarkClient client = client(server, store).listener(new SyncListener() {
                @Override
                public void onBatchApplied(AppliedBatch batch) {
                    applied.add(batch);
                }
            }).build().start()) {
                SyncStatus caughtUp = client.caughtUp().get(30, TimeUnit.SECONDS);
                assertThat(caughtUp.committedLsn()).isEqualTo(head);
                await().atMost(Duration.ofSeconds(10)).until(() -> server.highestSuccessAck().orElse(Lsn.ZERO).equals(head));

                assertThat(store.committedLsn()).isEqualTo(head);
                assertThat(store.committedChecksum()).isEqualTo(server.history().checksumUpTo(head));
                assertThat(ExpectedState.of(server.history().changesUpTo(head)).differencesFrom(store)).isEmpty();
                assertThat(ackedBeforeCommit).isEmpty();
                assertThat(server.violations()).isEmpty();
                await().until(() -> applied.size() == 12);
                assertThat(applied).extracting(AppliedBatch::changes).containsOnly(100);
                assertThat(applied.get(11).lsn()).isEqualTo(head);
                SyncStatus status = client.status();
                assertThat(status.state()).isEqualTo(ClientState.CONNECTED);
                assertThat(status.serverLsn()).isEqualTo(head);
                assertThat(status.lagBytes()).isZero();
                assertThat(status.appliedChanges()).isEqualTo(1200);
            }
        }
    }

    @Test
    @DisplayName("says hello with a client id it creates once and keeps in the store, and adopts the server's history")
    void helloAndClientId() throws Exception {
        server = ScriptedServer.builder().start();
        server.history().appendAll(Workload.standard(2).transactions(3, 5));
        Path file = dir.resolve("client.db");
        String clientId;
        try (SyncStore store = sqlite(file)) {
            try (TidemarkClient client = client(server, store).subscriptions(List.of("todo", "sales.orders"))
                    .build().start()) {
                client.caughtUp().get(10, TimeUnit.SECONDS);
                clientId = client.clientId();
            }
            assertThat(store.metadata("tidemark.client_id")).contains(clientId);
            assertThat(store.historyId()).contains(server.historyId());
        }
        Hello first = server.hellos().get(0);
        assertThat(first.clientId()).isEqualTo(clientId).startsWith("c-");
        assertThat(first.lastLsn()).isEqualTo(Lsn.ZERO);
        assertThat(first.historyId()).isNull();
        assertThat(first.capabilities()).containsExactly("ack", "verify", "resync");
        assertThat(first.subscriptions()).containsExactly("todo", "sales.orders");

        server.history().appendAll(Workload.standard(3).transactions(2, 5));
        try (SyncStore store = sqlite(file);
             TidemarkClient client = client(server, store).build().start()) {
            client.caughtUp().get(10, TimeUnit.SECONDS);
            assertThat(store.committedLsn()).isEqualTo(server.history().head());
        }
        Hello second = server.hellos().get(1);
        assertThat(second.clientId()).isEqualTo(clientId);
        assertThat(second.historyId()).isEqualTo(server.historyId());
        assertThat(second.lastLsn()).isEqualTo(server.history().transactions().get(2).lsn());
    }

    @Test
    @DisplayName("knows its client id once built, before it starts: given, taken from the token, or kept in the store")
    void clientIdKnownAfterBuild() throws Exception {
        server = ScriptedServer.builder().start();
        try (SyncStore store = sqlite(dir.resolve("client.db"))) {
            String kept;
            try (TidemarkClient client = client(server, store).build()) {
                kept = client.clientId();
                assertThat(kept).startsWith("c-");
                assertThat(store.metadata("tidemark.client_id")).contains(kept);
                assertThat(client.status().clientId()).isEqualTo(kept);
                assertThat(client.status().state()).isEqualTo(ClientState.NEW);
            }
            try (TidemarkClient again = client(server, store).build()) {
                assertThat(again.clientId()).as("the same store keeps the same id").isEqualTo(kept);
            }
            try (TidemarkClient given = client(server, store).clientId("kiosk-8").build()) {
                assertThat(given.clientId()).isEqualTo("kiosk-8");
            }
        }
        assertThat(server.hellos()).as("nothing connected").isEmpty();
    }

    @Test
    @DisplayName("the store a client hands out is read-only: its writing side is out of reach")
    void storeViewIsReadOnly() throws Exception {
        server = ScriptedServer.builder().start();
        server.history().appendAll(Workload.standard(4).transactions(3, 5));
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = client(server, store).build().start()) {
            client.caughtUp().get(10, TimeUnit.SECONDS);
            StoreView view = client.store();
            assertThat(view).isNotInstanceOf(SyncStore.class);
            assertThat(view.committedLsn()).isEqualTo(store.committedLsn()).isEqualTo(server.history().head());
            assertThat(view.committedChecksum()).isEqualTo(store.committedChecksum());
            assertThat(view.historyId()).isEqualTo(store.historyId());
            assertThat(view.metadata("tidemark.client_id")).contains(client.clientId());
            for (String type : List.of("todo", "sales.orders")) {
                java.util.Map<String, String> seen = new java.util.TreeMap<>();
                view.forEach(type, seen::put);
                java.util.Map<String, String> direct = new java.util.TreeMap<>();
                store.forEach(type, direct::put);
                assertThat(seen).isEqualTo(direct);
                assertThat(view.count(type)).isEqualTo(direct.size());
                direct.keySet().stream().findFirst().ifPresent(id ->
                        assertThat(view.get(type, id)).isEqualTo(store.get(type, id)));
            }
        }
    }

    @Test
    @DisplayName("uses a client id given by the application without keeping it in the store")
    void givenClientId() throws Exception {
        server = ScriptedServer.builder().start();
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = client(server, store).clientId("kiosk-7").build().start()) {
            client.caughtUp().get(10, TimeUnit.SECONDS);
            assertThat(client.clientId()).isEqualTo("kiosk-7");
            assertThat(server.hellos().get(0).clientId()).isEqualTo("kiosk-7");
            assertThat(store.metadata("tidemark.client_id")).isEmpty();
        }
    }

    @Test
    @DisplayName("sends its token as a bearer header, and stops for good when the server refuses it")
    void token() throws Exception {
        server = ScriptedServer.builder().token("s3cret").start();
        server.history().appendAll(Workload.standard(4).transactions(2, 5));
        try (SyncStore store = sqlite(dir.resolve("good.db"));
             TidemarkClient client = client(server, store).token("s3cret").build().start()) {
            client.caughtUp().get(10, TimeUnit.SECONDS);
            assertThat(server.authorizations()).containsExactly("Bearer s3cret");
        }
        TestClients.Errors errors = new TestClients.Errors();
        try (SyncStore store = sqlite(dir.resolve("bad.db"));
             TidemarkClient client = client(server, store).token("wrong").listener(errors).build().start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.status().state() == ClientState.FAILED);
            await().until(() -> errors.kinds().contains(SyncError.Kind.REFUSED));
            assertThat(errors.seen).filteredOn(error -> error.kind() == SyncError.Kind.REFUSED)
                    .singleElement().satisfies(error -> assertThat(error.message()).contains("401", "token"));
            assertThat(server.connections()).isEqualTo(2);
            assertThat(store.committedLsn()).isEqualTo(Lsn.ZERO);
            assertThat(client.caughtUp()).failsWithin(Duration.ofSeconds(1));
        }
    }
}
