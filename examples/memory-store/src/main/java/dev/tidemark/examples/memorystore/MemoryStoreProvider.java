package dev.tidemark.examples.memorystore;

import dev.tidemark.client.spi.StoreBackend;
import dev.tidemark.client.spi.StoreContext;
import dev.tidemark.client.spi.StoreSetting;
import dev.tidemark.client.spi.StoreSettings;
import dev.tidemark.client.spi.SyncStoreProvider;
import java.nio.file.Path;
import java.util.List;

/**
 * Registers the store as {@code memory} (see
 * {@code META-INF/services/dev.tidemark.client.spi.SyncStoreProvider}). One setting: {@code journal},
 * the path of the journal file, created when absent.
 */
public final class MemoryStoreProvider implements SyncStoreProvider {

    static final String NAME = "memory";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<StoreSetting> settings() {
        return List.of(StoreSetting.required("journal", StoreSetting.Type.PATH,
                "the journal file; created when absent"));
    }

    @Override
    public StoreBackend open(StoreSettings settings, StoreContext context) {
        return MemoryStore.open(Path.of(settings.required("journal")));
    }
}
