package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.client;
import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncStatus;
import dev.tidemark.protocol.CaptureStatus;
import dev.tidemark.protocol.Lsn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A client told that some of its entity types are incomplete on the server")
class IncompleteViewTest {

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
    @DisplayName("is not caught up while a type is incomplete, even with every batch applied; is once the server says"
            + " the type is complete again")
    void notCaughtUpWhileIncomplete() throws Exception {
        server = ScriptedServer.builder().start();
        server.incompleteEntityTypes(List.of("orders"));
        server.history().appendAll(Workload.standard(3).transactions(5, 4));
        Lsn head = server.history().head();
        try (SyncStore store = sqlite(dir.resolve("client.db"));
                TidemarkClient client = client(server, store).build().start()) {
            CompletableFuture<SyncStatus> caughtUp = client.caughtUp();
            await().atMost(Duration.ofSeconds(30)).until(() -> client.status().state() == ClientState.CONNECTED
                    && client.status().committedLsn().equals(head)
                    && server.highestSuccessAck().orElse(Lsn.ZERO).equals(head));
            // The engine's status is what the caught-up future and --once wait on.
            assertThat(caughtUp).as("caught up while 'orders' is incomplete").isNotDone();
            assertThat(store.committedLsn()).isEqualTo(head);

            server.send(new CaptureStatus(List.of()));
            SyncStatus status = caughtUp.get(10, TimeUnit.SECONDS);
            assertThat(status.committedLsn()).isEqualTo(head);
            assertThat(server.violations()).isEmpty();
        }
    }
}
