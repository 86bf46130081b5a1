package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreProvider;
import java.util.Map;

/**
 * Opens SQLite stores; registered as {@code sqlite}. Settings: {@code path} (required),
 * {@code durability} ({@code full} or {@code normal}, see {@link Durability}), {@code busyTimeoutMs}.
 */
public final class SqliteStoreProvider implements SyncStoreProvider {

    static final String NAME = "sqlite";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SyncStore open(Map<String, String> config) {
        return SqliteStore.open(SqliteStoreConfig.from(config));
    }
}
