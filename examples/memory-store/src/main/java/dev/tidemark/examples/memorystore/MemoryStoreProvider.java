package dev.tidemark.examples.memorystore;

import dev.tidemark.client.spi.StoreSettings;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

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
    public SyncStore open(Map<String, String> config) {
        StoreSettings settings = StoreSettings.of(NAME, config, Set.of("journal"));
        return MemoryStore.open(Path.of(settings.required("journal")));
    }
}
