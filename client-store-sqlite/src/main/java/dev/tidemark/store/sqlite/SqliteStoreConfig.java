package dev.tidemark.store.sqlite;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.StoreSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The settings of a SQLite store.
 *
 * @param path the database file; created (with its directories) when absent
 * @param durability how hard commits press to disk; {@link Durability#FULL} unless set
 * @param busyTimeoutMs how long a statement waits for a lock another connection holds; 10 s unless set
 */
record SqliteStoreConfig(Path path, Durability durability, int busyTimeoutMs) {

    static final String PATH = "path";
    static final String DURABILITY = "durability";
    static final String BUSY_TIMEOUT_MS = "busyTimeoutMs";

    SqliteStoreConfig {
        requireNonNull(path, "path is null");
        requireNonNull(durability, "durability is null");
    }

    static SqliteStoreConfig from(Map<String, String> config) {
        StoreSettings settings = StoreSettings.of(SqliteStoreProvider.NAME, config, Set.of(PATH, DURABILITY, BUSY_TIMEOUT_MS));
        return new SqliteStoreConfig(
                Path.of(settings.required(PATH)),
                settings.choice(DURABILITY, Durability.class, Durability.FULL),
                settings.intValue(BUSY_TIMEOUT_MS, 10_000, 0, 3_600_000));
    }
}
