package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.client;
import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("A client loading a resync snapshot")
class ResyncSnapshotClientTest {

    @TempDir
    Path dir;

    private ScriptedServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "the failing write: {0}")
    @ValueSource(strings = {"tidemark.checksum-offset", "tidemark.resync"})
    @DisplayName("whose store fails after the snapshot committed (a full disk) records the snapshot's checksum offset"
            + " and clears its marker before anything else is applied: the verify checksum stays the server's")
    void offsetRecordedAfterTheStoreFailedOnce(String failingKey) throws Exception {
        server = ScriptedServer.builder().streaming(false).start();
        server.verifyAnswer(verify -> new SyncVerifyResult(VerifyStatus.UP_TO_DATE, verify.lastLsn(), verify.lastLsn()));
        List<Change> rows = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rows.add(Change.update("orders", "o" + i, "{\"id\":\"o" + i + "\"}", Instant.EPOCH));
        }
        List<Change> after = List.of(Change.update("orders", "o9", "{\"id\":\"o9\"}", Instant.EPOCH));
        // Positions the scripted server knows (a reconnect's hello names them); it streams nothing by itself.
        Lsn cut = server.history().append(rows).lsn();
        Lsn next = server.history().append(after).lsn();
        long serverChecksum = 0x0123_4567_89ab_cdefL;
        try (SyncStore sqlite = sqlite(dir.resolve("client.db"))) {
            FaultyStore store = new FaultyStore(sqlite);
            // The offset's write, or the clearing of the resync marker after it: both come after the commit.
            store.failMetadataOnce((key, value) -> key.equals(failingKey)
                    && (key.equals("tidemark.checksum-offset") ? !value.isEmpty() : value.isEmpty()));
            try (TidemarkClient client = client(server, store).build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> client.status().state() == ClientState.CONNECTED);
                server.send(SyncVerifyResult.snapshotFollows(Lsn.ZERO, cut, cut, serverChecksum));
                server.send(Changes.of(new ChangeBatch("snapshot-1", Lsn.ZERO, cut, rows)));
                await().atMost(Duration.ofSeconds(30)).until(() -> store.injectedFailures() == 1);
                assertThat(store.committedLsn()).as("the snapshot itself committed").isEqualTo(cut);
                // The failure ends the connection; the client says hello again from the snapshot's position.
                await().atMost(Duration.ofSeconds(30)).until(() -> server.hellos().size() == 2
                        && client.status().state() == ClientState.CONNECTED);
                assertThat(server.hellos().get(1).lastLsn()).isEqualTo(cut);
                server.send(Changes.of(new ChangeBatch("b2", cut, next, after)));
                await().atMost(Duration.ofSeconds(30)).until(() -> store.committedLsn().equals(next));
                assertThat(store.metadata("tidemark.resync")).as("the resync marker is cleared").hasValue("");

                client.verify().handle((answer, failure) -> null).get(30, TimeUnit.SECONDS);
                List<SyncVerify> verifies = server.verifies();
                assertThat(verifies).isNotEmpty();
                SyncVerify verify = verifies.get(verifies.size() - 1);
                assertThat(verify.lastLsn()).isEqualTo(next);
                assertThat(verify.checksum()).as("the server's checksum through the snapshot plus the batch after it")
                        .isEqualTo(serverChecksum + Checksum.of(after));
            }
        }
    }
}
