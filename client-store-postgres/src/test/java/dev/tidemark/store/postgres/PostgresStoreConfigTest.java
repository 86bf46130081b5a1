package dev.tidemark.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostgresStoreConfigTest {

    private static final String URL = "jdbc:postgresql://db:5432/app";

    @Test
    void defaultsAreSafe() {
        assertThat(PostgresStoreConfig.from(Map.of("jdbcUrl", URL))).isEqualTo(new PostgresStoreConfig(
                URL, Optional.empty(), Optional.empty(), "tidemark_client", 4, Durability.FULL));
    }

    @Test
    void mapsEverySetting() {
        assertThat(PostgresStoreConfig.from(Map.of("jdbcUrl", URL, "user", "app", "password", "secret",
                "schema", "sync_1", "poolSize", "8", "durability", "NORMAL")))
                .isEqualTo(new PostgresStoreConfig(URL, Optional.of("app"), Optional.of("secret"), "sync_1", 8,
                        Durability.NORMAL));
    }

    @Test
    void neverPrintsThePassword() {
        assertThat(PostgresStoreConfig.from(Map.of("jdbcUrl", URL, "password", "secret")).toString())
                .doesNotContain("secret");
    }

    @Test
    void rejectsBadSettingsNamingThem() {
        assertInvalid(Map.of(), "store 'postgres': setting 'jdbcUrl' is required");
        assertInvalid(Map.of("jdbcUrl", "jdbc:mysql://db/app"), "setting 'jdbcUrl' must start with jdbc:postgresql:");
        assertInvalid(Map.of("jdbcUrl", URL, "schema", "Sync"), "setting 'schema' is 'Sync'; use a lower-case name");
        assertInvalid(Map.of("jdbcUrl", URL, "schema", "a\"; DROP TABLE x; --"), "setting 'schema' is");
        assertInvalid(Map.of("jdbcUrl", URL, "poolSize", "1"), "setting 'poolSize' is '1'; expected a whole number from 2 to 64");
        assertInvalid(Map.of("jdbcUrl", URL, "durability", "fast"), "expected one of full, normal");
        assertInvalid(Map.of("jdbcUrl", URL, "url", URL), "unknown setting url");
    }

    private static void assertInvalid(Map<String, String> config, String message) {
        assertThatThrownBy(() -> PostgresStoreConfig.from(config))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_CONFIG))
                .hasMessageContaining(message);
    }
}
