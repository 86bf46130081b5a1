package dev.tidemark.store.postgres;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreProvider;
import java.util.Map;

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
    public SyncStore open(Map<String, String> config) {
        return PostgresStore.open(PostgresStoreConfig.from(config));
    }
}
