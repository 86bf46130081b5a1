package dev.tidemark.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.internal.EngineConfig;
import dev.tidemark.client.internal.EngineState;
import dev.tidemark.client.internal.ErrorKind;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The client builder")
class ClientBuilderTest {

    @Test
    @DisplayName("has safe, documented defaults")
    void defaults() {
        EngineConfig config = TidemarkClient.builder().serverUrl("ws://localhost:8080").engineConfig();
        assertThat(config.serverUri()).isEqualTo(URI.create("ws://localhost:8080/sync"));
        assertThat(config.token()).isNull();
        assertThat(config.clientId()).isNull();
        assertThat(config.subscriptions()).isEmpty();
        assertThat(config.eager()).isFalse();
        assertThat(config.backoff().initial()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.backoff().max()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.backoff().multiplier()).isEqualTo(2.0);
        assertThat(config.backoff().jitter()).isEqualTo(0.5);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.keepAliveInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxMessageBytes()).isEqualTo(64 * 1024 * 1024);
        assertThat(config.receiveBuffer()).isEqualTo(16);
        assertThat(config.sslContext()).isNull();
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.tls()).isFalse();
    }

    @Test
    @DisplayName("maps every setting")
    void fullMapping() throws Exception {
        SSLContext ssl = SSLContext.getDefault();
        EngineConfig config = TidemarkClient.builder()
                .serverUrl("wss://sync.example.com/tenant/sync?region=eu")
                .token("t0ken")
                .clientId("kiosk-7")
                .subscriptions(List.of("todo", "sales.orders"))
                .ackMode(AckMode.EAGER)
                .reconnectBackoff(Duration.ofMillis(10), Duration.ofSeconds(3), 3.0, 0.25)
                .connectTimeout(Duration.ofSeconds(4))
                .keepAliveInterval(Duration.ofSeconds(5))
                .maxMessageBytes(2048)
                .receiveBuffer(3)
                .sslContext(ssl)
                .engineConfig();
        assertThat(config.serverUri()).isEqualTo(URI.create("wss://sync.example.com/tenant/sync?region=eu"));
        assertThat(config.tls()).isTrue();
        assertThat(config.port()).isEqualTo(443);
        assertThat(config.token()).isEqualTo("t0ken");
        assertThat(config.clientId()).isEqualTo("kiosk-7");
        assertThat(config.subscriptions()).containsExactly("todo", "sales.orders");
        assertThat(config.eager()).isTrue();
        assertThat(config.backoff().initial()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.backoff().max()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.backoff().multiplier()).isEqualTo(3.0);
        assertThat(config.backoff().jitter()).isEqualTo(0.25);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(config.keepAliveInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.maxMessageBytes()).isEqualTo(2048);
        assertThat(config.receiveBuffer()).isEqualTo(3);
        assertThat(config.sslContext()).isSameAs(ssl);
    }

    @Test
    @DisplayName("keeps a store given by name with its settings")
    void storeByName() {
        TidemarkClient.Builder builder = TidemarkClient.builder().store("sqlite", Map.of("path", "todo.db"));
        assertThat(builder.storeName()).isEqualTo("sqlite");
        assertThat(builder.storeSettings()).containsExactly(Map.entry("path", "todo.db"));
    }

    @Test
    @DisplayName("rejects bad settings with a message that says what to do")
    void errors() {
        assertThatThrownBy(() -> TidemarkClient.builder().engineConfig())
                .hasMessageContaining("no server URL given");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrl("http://localhost:8080/sync").engineConfig())
                .hasMessageContaining("must start with ws:// or wss://");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrl("ws://exa mple").engineConfig())
                .hasMessageContaining("is not a URL");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrl("ws://h/sync").token("a b").engineConfig())
                .hasMessageContaining("token must be printable ASCII");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrl("ws://h/sync").clientId("").engineConfig())
                .hasMessageContaining("client id must be 1 to 256 characters");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrl("ws://h/sync").receiveBuffer(0).engineConfig())
                .hasMessageContaining("receiveBuffer must be at least 1");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrl("ws://h/sync")
                .reconnectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1)).engineConfig())
                .hasMessageContaining("shorter than the initial one");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrl("ws://h/sync").build())
                .hasMessageContaining("no store given");
    }

    @Test
    @DisplayName("mirrors the engine's states and error kinds by name")
    void mirrors() {
        assertThat(Arrays.stream(ClientState.values()).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(EngineState.values()).map(Enum::name).toList());
        assertThat(Arrays.stream(SyncError.Kind.values()).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(ErrorKind.values()).map(Enum::name).toList());
        for (ClientState state : ClientState.values()) {
            assertThat(state.isTerminal()).isEqualTo(EngineState.valueOf(state.name()).isTerminal());
        }
    }
}
