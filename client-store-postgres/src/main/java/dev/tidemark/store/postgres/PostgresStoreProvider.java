package dev.tidemark.store.postgres;

import dev.tidemark.client.spi.StoreBackend;
import dev.tidemark.client.spi.StoreContext;
import dev.tidemark.client.spi.StoreSetting;
import dev.tidemark.client.spi.StoreSettings;
import dev.tidemark.client.spi.SyncStoreProvider;
import java.util.List;

/**
 * Opens PostgreSQL stores; registered as {@code postgres}. Settings: {@code jdbcUrl} (required),
 * {@code user}, {@code password}, {@code schema} (default {@code tidemark_client}), {@code poolSize}
 * (default 4), {@code durability} ({@code full} or {@code normal}, see {@link Durability}).
 */
public final class PostgresStoreProvider implements SyncStoreProvider {

    static final String NAME = "postgres";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<StoreSetting> settings() {
        return PostgresStoreConfig.SETTINGS;
    }

    @Override
    public StoreBackend open(StoreSettings settings, StoreContext context) {
        return PostgresStore.open(PostgresStoreConfig.from(settings));
    }
}
