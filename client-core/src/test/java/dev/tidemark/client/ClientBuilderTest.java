package dev.tidemark.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.internal.EngineConfig;
import java.net.URI;
import java.time.Duration;
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
        TidemarkClient.Builder builder = TidemarkClient.builder().serverUrl("ws://localhost:8080");
        EngineConfig config = builder.engineConfig();
        assertThat(config.serverUri()).isEqualTo(URI.create("ws://localhost:8080/sync"));
        assertThat(config.token()).isNull();
        assertThat(config.clientId()).isNull();
        assertThat(config.subscriptions()).isEmpty();
        assertThat(config.acks().startupWarning()).as("after commit: the safe mode, no warning").isNull();
        assertThat(config.acks().serverResyncs()).isTrue();
        ReconnectBackoff backoff = builder.backoff();
        assertThat(backoff.initial()).isEqualTo(Duration.ofMillis(250));
        assertThat(backoff.max()).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.multiplier()).isEqualTo(2.0);
        assertThat(backoff.jitter()).isEqualTo(0.5);
        assertThat(config.backoff().delay(3, 0.5)).isEqualTo(backoff.delay(3, 0.5));
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
        TidemarkClient.Builder builder = TidemarkClient.builder()
                .serverUrl("wss://sync.example.com/tenant/sync?region=eu")
                .token("t0ken")
                .clientId("kiosk-7")
                .subscriptions(List.of("todo", "sales.orders"))
                .ackMode(AckMode.EAGER)
                .reconnectBackoff(ReconnectBackoff.of(Duration.ofMillis(10), Duration.ofSeconds(3)).withMultiplier(3.0)
                        .withJitter(0.25))
                .connectTimeout(Duration.ofSeconds(4))
                .keepAliveInterval(Duration.ofSeconds(5))
                .maxMessageBytes(2048)
                .receiveBuffer(3)
                .sslContext(ssl);
        EngineConfig config = builder.engineConfig();
        assertThat(config.serverUri()).isEqualTo(URI.create("wss://sync.example.com/tenant/sync?region=eu"));
        assertThat(config.tls()).isTrue();
        assertThat(config.port()).isEqualTo(443);
        assertThat(config.token()).isEqualTo("t0ken");
        assertThat(config.clientId()).isEqualTo("kiosk-7");
        assertThat(config.subscriptions()).containsExactly("todo", "sales.orders");
        assertThat(config.acks().serverResyncs()).as("eager: the server cannot resync this client").isFalse();
        assertThat(config.acks().startupWarning()).contains("unsafe");
        ReconnectBackoff backoff = builder.backoff();
        assertThat(backoff.initial()).isEqualTo(Duration.ofMillis(10));
        assertThat(backoff.max()).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.multiplier()).isEqualTo(3.0);
        assertThat(backoff.jitter()).isEqualTo(0.25);
        assertThat(config.backoff().delay(2, 0.0)).isEqualTo(Duration.ofMillis(90));
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
    @DisplayName("takes several server URLs, in order, from serverUrls or repeated serverUrl; ws and wss may be mixed")
    void severalUrls() {
        EngineConfig listed = TidemarkClient.builder()
                .serverUrls(List.of("ws://a:7070", " wss://b.example.com/sync ", "ws://c:7070/tenant/sync")).engineConfig();
        assertThat(listed.serverUris()).containsExactly(URI.create("ws://a:7070/sync"),
                URI.create("wss://b.example.com/sync"), URI.create("ws://c:7070/tenant/sync"));
        assertThat(listed.serverUri()).as("tried first").isEqualTo(URI.create("ws://a:7070/sync"));
        assertThat(listed.anyTls()).isTrue();
        assertThat(EngineConfig.port(URI.create("wss://b.example.com/sync"))).isEqualTo(443);

        EngineConfig repeated = TidemarkClient.builder().serverUrl("ws://a:7070/sync").serverUri(URI.create("ws://b:7070"))
                .engineConfig();
        assertThat(repeated.serverUris()).containsExactly(URI.create("ws://a:7070/sync"), URI.create("ws://b:7070/sync"));
        assertThat(repeated.anyTls()).isFalse();

        EngineConfig replaced = TidemarkClient.builder().serverUrl("ws://old:1/sync").serverUrls(List.of("ws://new:2/sync"))
                .engineConfig();
        assertThat(replaced.serverUris()).containsExactly(URI.create("ws://new:2/sync"));
    }

    @Test
    @DisplayName("rejects a bad list of server URLs with a message that says what to do, changing nothing")
    void badUrlLists() {
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrls(List.of()))
                .hasMessageContaining("no server URL given");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrls(List.of("ws://a/sync", " ")))
                .hasMessageContaining("a server URL is empty");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrls(List.of("ws://a/sync", "ws://exa mple")))
                .hasMessageContaining("'ws://exa mple' is not a URL");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrls(List.of("ws://a/sync", "http://b/sync")).engineConfig())
                .hasMessageContaining("must start with ws:// or wss://", "http://b/sync");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrls(List.of("ws://a/sync", "ws:///sync")).engineConfig())
                .hasMessageContaining("has no host");
        assertThatThrownBy(() -> TidemarkClient.builder().serverUrls(List.of("ws://a:1", "ws://a:1/sync")).engineConfig())
                .hasMessageContaining("name a node twice");
        TidemarkClient.Builder kept = TidemarkClient.builder().serverUrl("ws://a/sync");
        assertThatThrownBy(() -> kept.serverUrls(List.of("ws://b/sync", "ws://exa mple")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(kept.engineConfig().serverUris()).as("a bad list changes nothing")
                .containsExactly(URI.create("ws://a/sync"));
    }
}
