package dev.tidemark.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqliteStoreConfigTest {

    @Test
    void defaultsAreSafe() {
        assertThat(SqliteStoreConfig.from(Map.of("path", "/data/store.db")))
                .isEqualTo(new SqliteStoreConfig(Path.of("/data/store.db"), Durability.FULL, 10_000));
    }

    @Test
    void mapsEverySetting() {
        assertThat(SqliteStoreConfig.from(Map.of("path", "s.db", "durability", "normal", "busyTimeoutMs", "250")))
                .isEqualTo(new SqliteStoreConfig(Path.of("s.db"), Durability.NORMAL, 250));
    }

    @Test
    void rejectsBadSettingsNamingThem() {
        assertInvalid(Map.of(), "store 'sqlite': setting 'path' is required");
        assertInvalid(Map.of("path", "s.db", "durability", "off"),
                "store 'sqlite': setting 'durability' is 'off'; expected one of full, normal");
        assertInvalid(Map.of("path", "s.db", "busyTimeoutMs", "-1"),
                "store 'sqlite': setting 'busyTimeoutMs' is '-1'; expected a whole number from 0 to 3600000");
        assertInvalid(Map.of("path", "s.db", "synchronous", "off"),
                "store 'sqlite': unknown setting synchronous; known settings: busyTimeoutMs, durability, path");
    }

    private static void assertInvalid(Map<String, String> config, String message) {
        assertThatThrownBy(() -> SqliteStoreConfig.from(config))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_CONFIG))
                .hasMessage(message);
    }
}
