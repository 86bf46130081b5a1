package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A per-table snapshot being received (the engine's view; the API's is {@code SnapshotProgress}).
 *
 * @param entityTypes the entity types the snapshot replaces
 * @param rowsReceived snapshot rows received so far
 * @param rowsEstimated the server's estimate of the snapshot's rows, or {@code null}
 */
public record SnapshotReceipt(List<String> entityTypes, long rowsReceived, Long rowsEstimated) {

    public SnapshotReceipt {
        entityTypes = List.copyOf(requireNonNull(entityTypes, "entityTypes is null"));
    }
}
