package dev.tidemark.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Server configuration")
class ConfigTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    /** The endpoint's, hub's and auth settings, read alone. */
    private static SyncServerConfig fromProperties(Map<String, String> settings) {
        return ServerConfig.sync(SettingsLoader.load(SettingsLoader.Sources.of(settings)).settings());
    }

    private static Set<String> endpointKeys() {
        return SettingsLoader.keys().stream().filter(key -> key.startsWith("tidemark.http.") || key.startsWith("tidemark.tls.")
                || key.startsWith("tidemark.hub.") || key.startsWith("tidemark.auth.")).collect(Collectors.toSet());
    }

    @Test
    @DisplayName("has these defaults")
    void defaults() {
        assertThat(HttpConfig.defaults()).isEqualTo(new HttpConfig("0.0.0.0", 8080, 65536, 262144, Duration.ofSeconds(10),
                Duration.ofSeconds(60), Duration.ofSeconds(20), 10_000, 524288, 262144, 0, null, null));
        assertThat(HubConfig.defaults()).isEqualTo(new HubConfig(8, 500, 1048576, Duration.ofMillis(500),
                Duration.ofSeconds(30), 10, Duration.ofSeconds(1), Duration.ofSeconds(5), 33554432, 4,
                Duration.ofSeconds(5), Duration.ofSeconds(1), 2.0, 4, 0.5, Duration.ofSeconds(30)));
        SyncServerConfig fromNothing = fromProperties(Map.of("tidemark.auth.secret", SECRET));
        assertThat(fromNothing.http()).isEqualTo(HttpConfig.defaults());
        assertThat(fromNothing.hub()).isEqualTo(HubConfig.defaults());
        assertThat(fromNothing.auth()).isEqualTo(AuthConfig.withSecret(SECRET));
    }

    @Test
    @DisplayName("maps every setting")
    void fullMapping() {
        Map<String, String> settings = new HashMap<>();
        settings.put("tidemark.http.bind-address", "127.0.0.1");
        settings.put("tidemark.http.port", "9000");
        settings.put("tidemark.http.max-frame-bytes", "32KiB");
        settings.put("tidemark.http.max-message-bytes", "1MiB");
        settings.put("tidemark.http.handshake-timeout", "3s");
        settings.put("tidemark.http.idle-timeout", "2m");
        settings.put("tidemark.http.ping-interval", "PT15S");
        settings.put("tidemark.http.max-connections", "50");
        settings.put("tidemark.http.write-buffer-high", "2MiB");
        settings.put("tidemark.http.write-buffer-low", "1MiB");
        settings.put("tidemark.http.io-threads", "3");
        settings.put("tidemark.http.compression", "true");
        settings.put("tidemark.tls.certificate", "/etc/tidemark/cert.pem");
        settings.put("tidemark.tls.private-key", "/etc/tidemark/key.pem");
        settings.put("tidemark.hub.window", "16");
        settings.put("tidemark.hub.batch-max-changes", "100");
        settings.put("tidemark.hub.batch-max-bytes", "256KiB");
        settings.put("tidemark.hub.resend-backoff", "250ms");
        settings.put("tidemark.hub.resend-backoff-max", "1h");
        settings.put("tidemark.hub.resend-retry-limit", "3");
        settings.put("tidemark.hub.progress-flush-interval", "2s");
        settings.put("tidemark.hub.empty-batch-interval", "30s");
        settings.put("tidemark.hub.live-buffer-bytes", "1GiB");
        settings.put("tidemark.hub.reader-threads", "2");
        settings.put("tidemark.hub.history-check-interval", "10s");
        settings.put("tidemark.hub.verify-interval", "500ms");
        settings.put("tidemark.hub.resync-rate", "0.5");
        settings.put("tidemark.hub.resync-burst", "2");
        settings.put("tidemark.hub.resync-jitter", "0.25");
        settings.put("tidemark.auth.enabled", "false");
        settings.put("tidemark.auth.secret", SECRET);
        assertThat(settings.keySet()).isEqualTo(endpointKeys());

        SyncServerConfig config = fromProperties(settings);
        assertThat(config.http()).isEqualTo(new HttpConfig("127.0.0.1", 9000, 32768, 1048576, Duration.ofSeconds(3),
                Duration.ofMinutes(2), Duration.ofSeconds(15), 50, 2097152, 1048576, 3,
                Path.of("/etc/tidemark/cert.pem"), Path.of("/etc/tidemark/key.pem"), true));
        assertThat(config.hub()).isEqualTo(new HubConfig(16, 100, 262144, Duration.ofMillis(250), Duration.ofHours(1), 3,
                Duration.ofSeconds(2), Duration.ofSeconds(30), 1073741824L, 2, Duration.ofSeconds(10),
                Duration.ofMillis(500), 0.5, 2, 0.25, Duration.ofSeconds(30)));
        assertThat(config.auth()).isEqualTo(new AuthConfig(false, SECRET));
        assertThat(config.http().toBuilder().build()).isEqualTo(config.http());
        assertThat(config.hub().toBuilder().build()).isEqualTo(config.hub());
    }

    @Test
    @DisplayName("refuses unknown keys and bad values, naming them")
    void refusals() {
        assertThatThrownBy(() -> fromProperties(Map.of("tidemark.http.prot", "1")))
                .hasMessageContaining("tidemark.http.prot");
        assertThatThrownBy(() -> fromProperties(Map.of("tidemark.http.port", "eighty", "tidemark.auth.enabled", "false")))
                .hasMessageContaining("tidemark.http.port");
        assertThatThrownBy(() -> fromProperties(Map.of("tidemark.hub.resend-backoff", "soon")))
                .hasMessageContaining("tidemark.hub.resend-backoff");
        assertThatThrownBy(() -> fromProperties(Map.of()))
                .hasMessageContaining("no secret is set");
        assertThatThrownBy(() -> HttpConfig.builder().pingInterval(Duration.ofMinutes(5)).build())
                .hasMessageContaining("pingInterval");
        assertThatThrownBy(() -> HttpConfig.builder().tls(Path.of("cert.pem"), null).build())
                .hasMessageContaining("both");
        assertThatThrownBy(() -> HubConfig.builder().window(0).build()).hasMessageContaining("window");
        assertThatThrownBy(() -> HubConfig.builder().resendBackoffMax(Duration.ofMillis(1)).build())
                .hasMessageContaining("resendBackoffMax");
    }
}
