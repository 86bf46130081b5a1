package dev.tidemark.client.internal;

import dev.tidemark.client.spi.SyncStore;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client's stable id: created once, kept in the store's metadata (the seed's {@code sync_client_id}). */
final class ClientIdentity {

    /** The metadata key the generated client id is kept under. */
    static final String METADATA_KEY = "tidemark.client_id";

    private static final Logger log = LoggerFactory.getLogger(ClientIdentity.class);

    private ClientIdentity() {}

    /** The id kept in {@code store}, created and kept there on first use. */
    static String resolve(SyncStore store) {
        Optional<String> kept = store.metadata(METADATA_KEY);
        if (kept.isPresent()) {
            return kept.get();
        }
        String id = "c-" + UUID.randomUUID();
        store.putMetadata(METADATA_KEY, id);
        log.info("new client id '{}', kept in the store as {}", id, METADATA_KEY);
        return id;
    }
}
