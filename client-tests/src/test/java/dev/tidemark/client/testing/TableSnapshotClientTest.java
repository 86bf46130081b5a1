package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.client;
import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SnapshotInfo;
import dev.tidemark.protocol.SyncVerify;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("A client receiving a per-table snapshot batch")
class TableSnapshotClientTest {

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
    @DisplayName("applies it like any batch, keeps its verify checksum the log's (logChecksum), and records the types it"
            + " holds so that a later hello names them")
    void snapshotBatchKeepsTheChecksumAndTheHeldTypes() throws Exception {
        server = ScriptedServer.builder().streaming(false).start();
        server.verifyAnswer(verify -> new dev.tidemark.protocol.SyncVerifyResult(
                dev.tidemark.protocol.VerifyStatus.UP_TO_DATE, verify.lastLsn(), verify.lastLsn()));
        Lsn cut = Lsn.parse("0/2000000");
        List<Change> rows = new ArrayList<>();
        rows.add(Change.update("customers", "c1", "{\"id\":\"c1\"}", Instant.EPOCH));
        rows.add(Change.truncate("orders", Instant.EPOCH));
        for (int i = 0; i < 5; i++) {
            rows.add(Change.update("orders", "o" + i, "{\"id\":\"o" + i + "\"}", Instant.EPOCH));
        }
        long logChecksum = 0x1234_5678_9abc_def0L;
        try (SyncStore store = sqlite(dir.resolve("client.db"))) {
            try (TidemarkClient client = client(server, store).subscriptions(List.of("customers", "orders")).build()
                    .start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> client.status().state() == ClientState.CONNECTED);
                server.send(Changes.part("snap-1", Lsn.ZERO, cut, 1, false, rows.subList(0, 3))
                        .withSnapshot(new SnapshotInfo(List.of("orders"), 1, 5L, logChecksum)));
                server.send(Changes.part("snap-1", Lsn.ZERO, cut, 2, true, rows.subList(3, rows.size()))
                        .withSnapshot(new SnapshotInfo(List.of("orders"), 5, 5L, logChecksum)));
                await().atMost(Duration.ofSeconds(30)).until(() -> store.committedLsn().equals(cut));
                assertThat(store.committedChecksum()).isEqualTo(Checksum.of(rows));

                client.verify().handle((answer, failure) -> null).get(30, TimeUnit.SECONDS);
                List<SyncVerify> verifies = server.verifies();
                assertThat(verifies).isNotEmpty();
                SyncVerify verify = verifies.get(verifies.size() - 1);
                assertThat(verify.lastLsn()).isEqualTo(cut);
                assertThat(verify.checksum()).as("applied + offset is the log's checksum of the range")
                        .isEqualTo(logChecksum);
                assertThat(client.status().snapshotProgress()).isEmpty();
            }
            // Next start: the store says it holds both types.
            try (TidemarkClient client = client(server, store).subscriptions(List.of("customers", "orders", "invoices"))
                    .build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> server.hellos().size() == 2);
                Hello hello = server.hellos().get(1);
                assertThat(hello.heldEntityTypes()).containsExactly("customers", "orders");
                assertThat(hello.subscriptions()).containsExactly("customers", "orders", "invoices");
            }
        }
    }

    @ParameterizedTest(name = "the failing write: {0}")
    @ValueSource(strings = {"tidemark.checksum-offset", "tidemark.table-snapshot"})
    @DisplayName("a store that fails after the snapshot batch committed (a full disk) records the batch's checksum"
            + " offset once before anything else is applied: the verify checksum stays the log's")
    void offsetRecordedAfterTheStoreFailedOnce(String failingKey) throws Exception {
        server = ScriptedServer.builder().streaming(false).start();
        server.verifyAnswer(verify -> new dev.tidemark.protocol.SyncVerifyResult(
                dev.tidemark.protocol.VerifyStatus.UP_TO_DATE, verify.lastLsn(), verify.lastLsn()));
        List<Change> rows = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rows.add(Change.update("orders", "o" + i, "{\"id\":\"o" + i + "\"}", Instant.EPOCH));
        }
        List<Change> after = List.of(Change.update("orders", "o9", "{\"id\":\"o9\"}", Instant.EPOCH));
        // Positions the scripted server knows (a reconnect's hello names them); it streams nothing by itself.
        Lsn cut = server.history().append(rows).lsn();
        Lsn next = server.history().append(after).lsn();
        long logChecksum = 0x0fed_cba9_8765_4321L;
        try (SyncStore sqlite = sqlite(dir.resolve("client.db"))) {
            FaultyStore store = new FaultyStore(sqlite);
            // The offset's write, or the clearing of the record after it: both come after the batch's commit.
            store.failMetadataOnce((key, value) -> key.equals(failingKey)
                    && (key.equals("tidemark.checksum-offset") || value.isEmpty()));
            try (TidemarkClient client = client(server, store).subscriptions(List.of("orders")).build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> client.status().state() == ClientState.CONNECTED);
                server.send(Changes.part("snap-1", Lsn.ZERO, cut, 1, true, rows)
                        .withSnapshot(new SnapshotInfo(List.of("orders"), 1, 5L, logChecksum)));
                await().atMost(Duration.ofSeconds(30)).until(() -> store.injectedFailures() == 1);
                assertThat(store.committedLsn()).as("the batch itself committed").isEqualTo(cut);
                // The failure ends the connection; the client says hello again from the snapshot's position.
                await().atMost(Duration.ofSeconds(30)).until(() -> server.hellos().size() == 2
                        && client.status().state() == ClientState.CONNECTED);
                server.send(Changes.of(new dev.tidemark.protocol.ChangeBatch("b2", cut, next, after)));
                await().atMost(Duration.ofSeconds(30)).until(() -> store.committedLsn().equals(next));

                client.verify().handle((answer, failure) -> null).get(30, TimeUnit.SECONDS);
                List<SyncVerify> verifies = server.verifies();
                assertThat(verifies).isNotEmpty();
                SyncVerify verify = verifies.get(verifies.size() - 1);
                assertThat(verify.lastLsn()).isEqualTo(next);
                assertThat(verify.checksum()).as("the log's checksum of the snapshot plus the batch after it")
                        .isEqualTo(logChecksum + Checksum.of(after));
            }
        }
    }

    @Test
    @DisplayName("a store that held every type and now subscribes to a list holds only the list: its checksum is no"
            + " longer compared (it counts the other types) and a later switch back to every type names the held"
            + " list in hello, so the server snapshots the types it stopped receiving")
    void shrinkingFromEveryTypeToAList() throws Exception {
        server = ScriptedServer.builder().streaming(false).start();
        server.verifyAnswer(verify -> new dev.tidemark.protocol.SyncVerifyResult(
                dev.tidemark.protocol.VerifyStatus.UP_TO_DATE, verify.lastLsn(), verify.lastLsn()));
        Lsn first = Lsn.parse("0/1000000");
        List<Change> rows = List.of(Change.update("customers", "c1", "{\"id\":\"c1\"}", Instant.EPOCH),
                Change.update("orders", "o1", "{\"id\":\"o1\"}", Instant.EPOCH));
        try (SyncStore store = sqlite(dir.resolve("client.db"))) {
            try (TidemarkClient client = client(server, store).build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> client.status().state() == ClientState.CONNECTED);
                server.send(Changes.part("b-1", Lsn.ZERO, first, 1, true, rows));
                await().atMost(Duration.ofSeconds(30)).until(() -> store.committedLsn().equals(first));
                client.verify().handle((answer, failure) -> null).get(30, TimeUnit.SECONDS);
                assertThat(server.verifies().get(server.verifies().size() - 1).checksum())
                        .isEqualTo(Checksum.of(rows));
            }
            try (TidemarkClient client = client(server, store).subscriptions(List.of("customers")).build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> client.status().state() == ClientState.CONNECTED);
                int before = server.verifies().size();
                client.verify().handle((answer, failure) -> null).get(30, TimeUnit.SECONDS);
                assertThat(server.verifies()).hasSizeGreaterThan(before);
                assertThat(server.verifies().get(server.verifies().size() - 1).checksum())
                        .as("the store's checksum still counts orders: verified by position only").isNull();
            }
            try (TidemarkClient client = client(server, store).build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> server.hellos().size() == 3);
                assertThat(server.hellos().get(2).heldEntityTypes()).containsExactly("customers");
            }
        }
    }
}
