package dev.tidemark.store.sqlite;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.StoreSetting;
import dev.tidemark.client.spi.StoreSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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

    /** The settings the store declares; {@link SqliteStoreProvider#settings()}. */
    static final List<StoreSetting> SETTINGS = List.of(
            StoreSetting.required(PATH, StoreSetting.Type.PATH, "the database file; created with its directories when absent"),
            StoreSetting.optional(DURABILITY, StoreSetting.Type.CHOICE, "full",
                    "full: a commit survives a power loss (synchronous=FULL); normal: only a process crash").withChoices("full", "normal"),
            StoreSetting.optional(BUSY_TIMEOUT_MS, StoreSetting.Type.INTEGER, "10000",
                    "how long a statement waits for a lock another connection holds, in ms (0 to 3600000)"));

    SqliteStoreConfig {
        requireNonNull(path, "path is null");
        requireNonNull(durability, "durability is null");
    }

    static SqliteStoreConfig from(Map<String, String> config) {
        return from(StoreSettings.declared(SqliteStoreProvider.NAME, config, SETTINGS));
    }

    static SqliteStoreConfig from(StoreSettings settings) {
        return new SqliteStoreConfig(
                Path.of(settings.required(PATH)),
                settings.choice(DURABILITY, Durability.class, Durability.FULL),
                settings.intValue(BUSY_TIMEOUT_MS, 10_000, 0, 3_600_000));
    }
}
