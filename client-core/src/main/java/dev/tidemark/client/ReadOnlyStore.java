package dev.tidemark.client;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.StoreView;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.Lsn;
import java.util.Optional;
import java.util.function.BiConsumer;

/** The {@link StoreView} of a client's store: reads pass through, and the store's writing side is out of reach. */
final class ReadOnlyStore implements StoreView {

    private final SyncStore store;

    ReadOnlyStore(SyncStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    @Override
    public Lsn committedLsn() {
        return store.committedLsn();
    }

    @Override
    public long committedChecksum() {
        return store.committedChecksum();
    }

    @Override
    public Optional<String> historyId() {
        return store.historyId();
    }

    @Override
    public Optional<Lsn> pendingLsn() {
        return store.pendingLsn();
    }

    @Override
    public Optional<String> get(String entityType, String entityId) {
        return store.get(entityType, entityId);
    }

    @Override
    public long count(String entityType) {
        return store.count(entityType);
    }

    @Override
    public void forEach(String entityType, BiConsumer<String, String> action) {
        store.forEach(entityType, action);
    }

    @Override
    public Optional<String> metadata(String key) {
        return store.metadata(key);
    }

    @Override
    public String toString() {
        return "read-only view of " + store;
    }
}
