package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.StoreBackend;
import dev.tidemark.client.spi.StoreContext;
import dev.tidemark.client.spi.StoreSetting;
import dev.tidemark.client.spi.StoreSettings;
import dev.tidemark.client.spi.SyncStoreProvider;
import java.util.List;

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
    public List<StoreSetting> settings() {
        return SqliteStoreConfig.SETTINGS;
    }

    @Override
    public StoreBackend open(StoreSettings settings, StoreContext context) {
        return SqliteStore.open(SqliteStoreConfig.from(settings));
    }
}
