package dev.tidemark.store.tck;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.Lsn;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Everything observable about a store, for asserting that a call changed nothing. */
record StoreSnapshot(Lsn committedLsn, long committedChecksum, Optional<Lsn> pendingLsn,
                     Optional<String> historyId, Map<String, Map<String, String>> entities) {

    static StoreSnapshot of(SyncStore store, String... entityTypes) {
        Map<String, Map<String, String>> entities = new TreeMap<>();
        for (String entityType : entityTypes) {
            Map<String, String> byId = new TreeMap<>();
            store.forEach(entityType, byId::put);
            entities.put(entityType, byId);
        }
        return new StoreSnapshot(store.committedLsn(), store.committedChecksum(), store.pendingLsn(),
                store.historyId(), entities);
    }
}
