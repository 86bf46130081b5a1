package dev.tidemark.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    private static final String SECRET = "a-secret-that-is-at-least-thirty-two-bytes-long";

    @Test
    void defaults() {
        ServerConfig config = ServerConfig.from(Map.of("tidemark.capture.tables", "orders", "tidemark.auth.secret", SECRET));
        assertThat(config.source()).isEmpty();
        assertThat(config.embedded().dataDirectory()).isEqualTo(Path.of(".tidemark/postgres"));
        assertThat(config.embedded().port()).isZero();
        assertThat(config.changeLogProvider()).isEqualTo("postgres");
        assertThat(config.changeLogConfig()).isEmpty();
        assertThat(config.capture().slotName()).isEqualTo("tidemark");
        assertThat(config.capture().tables()).containsExactly("public.orders");
        assertThat(config.sync().http().port()).isEqualTo(8080);
        assertThat(config.sync().auth().enabled()).isTrue();
        assertThat(config.retention().clientTimeout()).isEqualTo(Duration.ofDays(7));
        assertThat(config.retentionInterval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void fullMapping() {
        ServerConfig config = ServerConfig.from(Map.ofEntries(
                Map.entry("tidemark.source.jdbc-url", "jdbc:postgresql://db:5432/app"),
                Map.entry("tidemark.source.user", "tm"),
                Map.entry("tidemark.source.password", "pw"),
                Map.entry("tidemark.embedded.data-dir", "/var/lib/tm"),
                Map.entry("tidemark.embedded.port", "5999"),
                Map.entry("tidemark.changelog.provider", "postgres"),
                Map.entry("tidemark.changelog.jdbc-url", "jdbc:postgresql://log:5432/history"),
                Map.entry("tidemark.changelog.user", "loguser"),
                Map.entry("tidemark.changelog.password", "logpw"),
                Map.entry("tidemark.capture.slot", "s1"),
                Map.entry("tidemark.capture.publication", "p1"),
                Map.entry("tidemark.capture.schemas", "sales, billing"),
                Map.entry("tidemark.capture.create-slot", "false"),
                Map.entry("tidemark.capture.manage-publication", "false"),
                Map.entry("tidemark.capture.heartbeat-interval", "3s"),
                Map.entry("tidemark.capture.max-batch-changes", "1000"),
                Map.entry("tidemark.capture.chunk-changes", "100"),
                Map.entry("tidemark.capture.chunk-bytes", "1MiB"),
                Map.entry("tidemark.capture.queue-capacity", "2000"),
                Map.entry("tidemark.capture.status-interval", "2s"),
                Map.entry("tidemark.capture.restart-backoff", "100ms"),
                Map.entry("tidemark.capture.restart-backoff-max", "5s"),
                Map.entry("tidemark.http.port", "9000"),
                Map.entry("tidemark.auth.enabled", "false"),
                Map.entry("tidemark.retention.client-timeout", "1h"),
                Map.entry("tidemark.retention.max-age", "2h"),
                Map.entry("tidemark.retention.max-changes", "1000"),
                Map.entry("tidemark.retention.interval", "10s")));
        assertThat(config.source()).hasValueSatisfying(source -> {
            assertThat(source.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/app");
            assertThat(source.user()).isEqualTo("tm");
            assertThat(source.password()).isEqualTo("pw");
        });
        assertThat(config.embedded().dataDirectory()).isEqualTo(Path.of("/var/lib/tm"));
        assertThat(config.embedded().port()).isEqualTo(5999);
        assertThat(config.changeLogConfig()).contains(Map.of("jdbcUrl", "jdbc:postgresql://log:5432/history",
                "user", "loguser", "password", "logpw"));
        assertThat(config.capture().slotName()).isEqualTo("s1");
        assertThat(config.capture().publicationName()).isEqualTo("p1");
        assertThat(config.capture().schemas()).containsExactly("sales", "billing");
        assertThat(config.capture().createSlot()).isFalse();
        assertThat(config.capture().managePublication()).isFalse();
        assertThat(config.capture().heartbeatInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.capture().maxBatchChanges()).isEqualTo(1000);
        assertThat(config.capture().chunkChanges()).isEqualTo(100);
        assertThat(config.capture().chunkBytes()).isEqualTo(1024 * 1024);
        assertThat(config.capture().queueCapacity()).isEqualTo(2000);
        assertThat(config.capture().statusInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.capture().restartBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.capture().maxRestartBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.sync().http().port()).isEqualTo(9000);
        assertThat(config.sync().auth().enabled()).isFalse();
        assertThat(config.retention().clientTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.retention().maxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(config.retention().maxChanges()).isEqualTo(1000);
        assertThat(config.retentionInterval()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void badInputNamesTheKey() {
        assertThatThrownBy(() -> ServerConfig.from(Map.of("tidemark.capture.tabels", "orders")))
                .hasMessageContaining("tidemark.capture.tabels");
        assertThatThrownBy(() -> ServerConfig.from(Map.of("tidemark.capture.tables", "orders",
                "tidemark.capture.create-slot", "yes"))).hasMessageContaining("tidemark.capture.create-slot");
        assertThatThrownBy(() -> ServerConfig.from(Map.of("tidemark.capture.tables", "orders",
                "tidemark.capture.heartbeat-interval", "soon"))).hasMessageContaining("tidemark.capture.heartbeat-interval");
        assertThatThrownBy(() -> ServerConfig.from(Map.of("tidemark.source.jdbc-url", "mysql://x")))
                .hasMessageContaining("tidemark.source.jdbc-url");
    }

    @Test
    void precedenceIsFileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tidemark.properties");
        Files.writeString(file, "tidemark.http.port=1000\ntidemark.hub.window=3\ntidemark.capture.slot=fromfile\n");
        SettingsLoader.Loaded loaded = SettingsLoader.load(new SettingsLoader.Sources(Map.of("tidemark.http.port", "1"),
                Optional.of(file),
                Map.of("TIDEMARK_HUB_WINDOW", "4", "TIDEMARK_CAPTURE_SLOT", "fromenv", "TIDEMARK_UNRELATED", "x",
                        "TIDEMARK_HTTP_MAX_FRAME_BYTES", "32KiB"),
                Map.of("tidemark.capture.slot", "fromflag", "tidemark.auth.secret", SECRET,
                        "tidemark.source.password", "pw")));
        TidemarkSettings settings = loaded.settings();
        assertThat(settings.http().port()).isEqualTo(1000);
        assertThat(settings.hub().window()).isEqualTo(4);
        assertThat(settings.capture().slot()).isEqualTo("fromflag");
        assertThat(loaded.given()).containsEntry("tidemark.http.port", "1000")
                .containsEntry("tidemark.hub.window", "4")
                .containsEntry("tidemark.capture.slot", "fromflag")
                .doesNotContainKey("tidemark.unrelated");
        assertThat(loaded.given()).containsValues("****").doesNotContainValue(SECRET).doesNotContainValue("pw");
        assertThat(settings.auth().secret().orElseThrow().toString()).isEqualTo("****");
        assertThat(List.of(settings.http().maxFrameBytes().bytes())).as("TIDEMARK_HTTP_MAX_FRAME_BYTES")
                .containsExactly(32L * 1024);
    }
}
