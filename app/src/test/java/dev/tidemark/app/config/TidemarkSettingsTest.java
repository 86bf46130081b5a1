package dev.tidemark.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Trino's {@code TestPostgreSqlConfig} for {@link TidemarkSettings}: every default, and every key mapped. */
@DisplayName("TidemarkSettings")
class TidemarkSettingsTest {

    /** One key: the text set in the full mapping, how to read it, its default and the value the text gives. */
    private record Key(String key, String text, Function<TidemarkSettings, Object> read, Object byDefault,
                       Object mapped) {}

    private static final List<Key> KEYS = List.of(
            new Key("tidemark.source.jdbc-url", "jdbc:postgresql://db/app", s -> s.source().jdbcUrl(), Optional.empty(), Optional.of("jdbc:postgresql://db/app")),
            new Key("tidemark.source.user", "tm", s -> s.source().user(), Optional.empty(), Optional.of("tm")),
            new Key("tidemark.source.password", "pw", s -> s.source().password(), Optional.empty(), Optional.of(new Secret("pw"))),
            new Key("tidemark.embedded.data-dir", "/var/lib/tm", s -> s.embedded().dataDir(), Path.of(".tidemark/postgres"), Path.of("/var/lib/tm")),
            new Key("tidemark.embedded.port", "5999", s -> s.embedded().port(), 0, 5999),
            new Key("tidemark.changelog.provider", "other", s -> s.changeLog().provider(), "postgres", "other"),
            new Key("tidemark.changelog.jdbc-url", "jdbc:postgresql://log/h", s -> s.changeLog().jdbcUrl(), Optional.empty(), Optional.of("jdbc:postgresql://log/h")),
            new Key("tidemark.changelog.user", "lu", s -> s.changeLog().user(), Optional.empty(), Optional.of("lu")),
            new Key("tidemark.changelog.password", "lp", s -> s.changeLog().password(), Optional.empty(), Optional.of(new Secret("lp"))),
            new Key("tidemark.capture.slot", "s1", s -> s.capture().slot(), "tidemark", "s1"),
            new Key("tidemark.capture.publication", "p1", s -> s.capture().publication(), "tidemark", "p1"),
            new Key("tidemark.capture.tables", "a,b", s -> s.capture().tables(), Optional.empty(), Optional.of(List.of("a", "b"))),
            new Key("tidemark.capture.schemas", "x", s -> s.capture().schemas(), Optional.empty(), Optional.of(List.of("x"))),
            new Key("tidemark.capture.create-slot", "false", s -> s.capture().createSlot(), true, false),
            new Key("tidemark.capture.manage-publication", "false", s -> s.capture().managePublication(), true, false),
            new Key("tidemark.capture.heartbeat-interval", "3s", s -> s.capture().heartbeatInterval(), Duration.ofSeconds(10), Duration.ofSeconds(3)),
            new Key("tidemark.capture.max-batch-changes", "7", s -> s.capture().maxBatchChanges(), 20_000, 7),
            new Key("tidemark.capture.chunk-changes", "6", s -> s.capture().chunkChanges(), 5_000, 6),
            new Key("tidemark.capture.chunk-bytes", "1MiB", s -> s.capture().chunkBytes(), new ByteSize(8L << 20), new ByteSize(1 << 20)),
            new Key("tidemark.capture.queue-capacity", "5", s -> s.capture().queueCapacity(), 40_000, 5),
            new Key("tidemark.capture.status-interval", "2s", s -> s.capture().statusInterval(), Duration.ofSeconds(10), Duration.ofSeconds(2)),
            new Key("tidemark.capture.restart-backoff", "100ms", s -> s.capture().restartBackoff(), Duration.ofSeconds(1), Duration.ofMillis(100)),
            new Key("tidemark.capture.restart-backoff-max", "5s", s -> s.capture().restartBackoffMax(), Duration.ofSeconds(30), Duration.ofSeconds(5)),
            new Key("tidemark.http.bind-address", "127.0.0.1", s -> s.http().bindAddress(), "0.0.0.0", "127.0.0.1"),
            new Key("tidemark.http.port", "9000", s -> s.http().port(), 8080, 9000),
            new Key("tidemark.http.max-frame-bytes", "32KiB", s -> s.http().maxFrameBytes(), new ByteSize(65536), new ByteSize(32768)),
            new Key("tidemark.http.max-message-bytes", "1MiB", s -> s.http().maxMessageBytes(), new ByteSize(262144), new ByteSize(1 << 20)),
            new Key("tidemark.http.handshake-timeout", "3s", s -> s.http().handshakeTimeout(), Duration.ofSeconds(10), Duration.ofSeconds(3)),
            new Key("tidemark.http.idle-timeout", "2m", s -> s.http().idleTimeout(), Duration.ofSeconds(60), Duration.ofMinutes(2)),
            new Key("tidemark.http.ping-interval", "PT15S", s -> s.http().pingInterval(), Duration.ofSeconds(20), Duration.ofSeconds(15)),
            new Key("tidemark.http.max-connections", "50", s -> s.http().maxConnections(), 10_000, 50),
            new Key("tidemark.http.write-buffer-high", "2MiB", s -> s.http().writeBufferHigh(), new ByteSize(524288), new ByteSize(2 << 20)),
            new Key("tidemark.http.write-buffer-low", "1MiB", s -> s.http().writeBufferLow(), new ByteSize(262144), new ByteSize(1 << 20)),
            new Key("tidemark.http.io-threads", "3", s -> s.http().ioThreads(), 0, 3),
            new Key("tidemark.http.compression", "true", s -> s.http().compression(), false, true),
            new Key("tidemark.tls.certificate", "/c.pem", s -> s.tls().certificate(), Optional.empty(), Optional.of(Path.of("/c.pem"))),
            new Key("tidemark.tls.private-key", "/k.pem", s -> s.tls().privateKey(), Optional.empty(), Optional.of(Path.of("/k.pem"))),
            new Key("tidemark.hub.window", "16", s -> s.hub().window(), 8, 16),
            new Key("tidemark.hub.batch-max-changes", "100", s -> s.hub().batchMaxChanges(), 500, 100),
            new Key("tidemark.hub.batch-max-bytes", "256KiB", s -> s.hub().batchMaxBytes(), new ByteSize(1 << 20), new ByteSize(262144)),
            new Key("tidemark.hub.resend-backoff", "250ms", s -> s.hub().resendBackoff(), Duration.ofMillis(500), Duration.ofMillis(250)),
            new Key("tidemark.hub.resend-backoff-max", "1h", s -> s.hub().resendBackoffMax(), Duration.ofSeconds(30), Duration.ofHours(1)),
            new Key("tidemark.hub.resend-retry-limit", "3", s -> s.hub().resendRetryLimit(), 10, 3),
            new Key("tidemark.hub.progress-flush-interval", "2s", s -> s.hub().progressFlushInterval(), Duration.ofSeconds(1), Duration.ofSeconds(2)),
            new Key("tidemark.hub.empty-batch-interval", "30s", s -> s.hub().emptyBatchInterval(), Duration.ofSeconds(5), Duration.ofSeconds(30)),
            new Key("tidemark.hub.live-buffer-bytes", "1GiB", s -> s.hub().liveBufferBytes(), new ByteSize(32L << 20), new ByteSize(1L << 30)),
            new Key("tidemark.hub.reader-threads", "2", s -> s.hub().readerThreads(), 4, 2),
            new Key("tidemark.hub.history-check-interval", "10s", s -> s.hub().historyCheckInterval(), Duration.ofSeconds(5), Duration.ofSeconds(10)),
            new Key("tidemark.hub.verify-interval", "500ms", s -> s.hub().verifyInterval(), Duration.ofSeconds(1), Duration.ofMillis(500)),
            new Key("tidemark.hub.resync-rate", "0.5", s -> s.hub().resyncRate(), 2.0, 0.5),
            new Key("tidemark.hub.resync-burst", "2", s -> s.hub().resyncBurst(), 4, 2),
            new Key("tidemark.hub.resync-jitter", "0.25", s -> s.hub().resyncJitter(), 0.5, 0.25),
            new Key("tidemark.auth.enabled", "false", s -> s.auth().enabled(), true, false),
            new Key("tidemark.auth.secret", "0123456789abcdef0123456789abcdef", s -> s.auth().secret(), Optional.empty(),
                    Optional.of(new Secret("0123456789abcdef0123456789abcdef"))),
            new Key("tidemark.retention.client-timeout", "1h", s -> s.retention().clientTimeout(), Optional.empty(), Optional.of(Duration.ofHours(1))),
            new Key("tidemark.retention.max-age", "30d", s -> s.retention().maxAge(), Optional.empty(), Optional.of(Duration.ofDays(30))),
            new Key("tidemark.retention.max-changes", "1000", s -> s.retention().maxChanges(), Optional.empty(), Optional.of(1000L)),
            new Key("tidemark.retention.interval", "10", s -> s.retention().interval(), Duration.ofMinutes(1), Duration.ofSeconds(10)));

    private static TidemarkSettings load(Map<String, String> settings) {
        return SettingsLoader.load(SettingsLoader.Sources.of(settings)).settings();
    }

    @Test
    @DisplayName("has these defaults")
    void defaults() {
        TidemarkSettings settings = load(Map.of());
        KEYS.forEach(key -> assertThat(key.read().apply(settings)).as(key.key()).isEqualTo(key.byDefault()));
    }

    @Test
    @DisplayName("maps every key, and every key differs from its default in the mapping")
    void fullMapping() {
        Map<String, String> all = KEYS.stream().collect(Collectors.toMap(Key::key, Key::text));
        assertThat(all.keySet()).as("the full mapping sets every key").isEqualTo(SettingsLoader.keys());
        TidemarkSettings settings = load(all);
        for (Key key : KEYS) {
            assertThat(key.mapped()).as(key.key()).isNotEqualTo(key.byDefault());
            assertThat(key.read().apply(settings)).as(key.key()).isEqualTo(key.mapped());
        }
    }

    @Test
    @DisplayName("masks secrets, refuses unknown keys and values of the wrong type, naming the key")
    void refusals() {
        assertThat(load(Map.of("tidemark.auth.secret", "hush-hush")).auth().secret().orElseThrow())
                .hasToString("****");
        assertThatThrownBy(() -> load(Map.of("tidemark.hub.windw", "3"))).hasMessageContaining("tidemark.hub.windw")
                .hasMessageContaining("tidemark serve --help");
        assertThatThrownBy(() -> load(Map.of("tidemark.http.max-frame-bytes", "lots")))
                .hasMessageContaining("tidemark.http.max-frame-bytes").hasMessageContaining("64KiB");
        assertThatThrownBy(() -> load(Map.of("tidemark.auth.enabled", "yes"))).hasMessageContaining("tidemark.auth.enabled");
    }
}
