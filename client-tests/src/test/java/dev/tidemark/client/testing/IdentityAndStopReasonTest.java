package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.client;
import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.ClientStoppedException;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.ClientState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The client's identity comes from its token, and a stopped client says why")
class IdentityAndStopReasonTest {

    @TempDir
    Path dir;

    private ScriptedServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** A token in the server's form ({@code base64url(payload).signature}); the scripted server compares it whole. */
    static String tokenFor(String clientId) {
        String payload = "{\"clientId\":\"" + clientId + "\",\"entityTypes\":[\"*\"],\"exp\":4102444800}";
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        return base64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString("not-checked-here".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("without a client id, the client syncs as the client its token names")
    void clientIdFromToken() throws Exception {
        String token = tokenFor("cli-1");
        server = ScriptedServer.builder().token(token).start();
        server.history().appendAll(Workload.standard(7).transactions(3, 5));
        try (SyncStore store = sqlite(dir.resolve("a.db"));
             TidemarkClient client = client(server, store).token(token).build().start()) {
            client.caughtUp().get(30, TimeUnit.SECONDS);
            assertThat(client.clientId()).isEqualTo("cli-1");
            assertThat(server.hellos()).extracting(hello -> hello.clientId()).containsOnly("cli-1");
        }
    }

    @Test
    @DisplayName("a given client id that differs from the token's is refused before connecting, naming both")
    void differingClientIdRefused() {
        server = ScriptedServer.builder().start();
        try (SyncStore store = sqlite(dir.resolve("b.db"))) {
            assertThatThrownBy(() -> client(server, store).token(tokenFor("cli-1")).clientId("kiosk-7").build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'kiosk-7'").hasMessageContaining("'cli-1'");
        }
        assertThat(server.connections()).isZero();
    }

    @Test
    @DisplayName("caughtUp() fails with the server's reason when the token is refused")
    void refusalReasonInTheFuture() {
        server = ScriptedServer.builder().token("right").start();
        try (SyncStore store = sqlite(dir.resolve("c.db"));
             TidemarkClient client = client(server, store).token("wrong").build().start()) {
            assertThatThrownBy(() -> client.caughtUp().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ClientStoppedException.class)
                    .hasMessageContaining("FAILED").hasMessageContaining("HTTP 401");
            ClientStoppedException stopped = client.stopped().join();
            assertThat(stopped.state()).isEqualTo(ClientState.FAILED);
            assertThat(stopped.reason()).isPresent();
        }
    }

    @Test
    @DisplayName("no token at all is reported as missing, not as refused")
    void missingToken() {
        server = ScriptedServer.builder().token("right").start();
        try (SyncStore store = sqlite(dir.resolve("d.db"));
             TidemarkClient client = client(server, store).build().start()) {
            assertThatThrownBy(() -> client.caughtUp().get(30, TimeUnit.SECONDS))
                    .cause().hasMessageContaining("no token given");
        }
    }

    @Test
    @DisplayName("closing the client completes stopped() and fails caughtUp() with 'closed'")
    void closedByTheApplication() {
        server = ScriptedServer.builder().streaming(false).start();
        server.history().appendAll(Workload.standard(8).transactions(3, 5));
        try (SyncStore store = sqlite(dir.resolve("e.db"))) {
            TidemarkClient client = client(server, store).build().start();
            var caughtUp = client.caughtUp();
            client.close();
            assertThatThrownBy(() -> caughtUp.get(30, TimeUnit.SECONDS)).cause().hasMessageContaining("closed");
            assertThat(client.stopped().join().state()).isEqualTo(ClientState.CLOSED);
        }
    }
}
