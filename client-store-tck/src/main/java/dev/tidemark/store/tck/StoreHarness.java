package dev.tidemark.store.tck;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import java.util.Map;

/** One test's store: opened by name through {@link SyncStores}, as the client opens it. */
final class StoreHarness implements AutoCloseable {

    private final String storeName;
    private final Map<String, String> config;
    private SyncStore store;

    StoreHarness(String storeName, Map<String, String> config) {
        this.storeName = requireNonNull(storeName, "storeName() returned null");
        this.config = Map.copyOf(requireNonNull(config, "newStoreConfig() returned null"));
        this.store = SyncStores.open(storeName, this.config);
    }

    String storeName() {
        return storeName;
    }

    Map<String, String> config() {
        return config;
    }

    SyncStore store() {
        return store;
    }

    /** Closes the store and opens it again on the same storage. */
    SyncStore reopen() {
        store.close();
        store = SyncStores.open(storeName, config);
        return store;
    }

    @Override
    public void close() {
        store.close();
    }
}
