package dev.tidemark.client.status;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * How far the client got receiving a snapshot of some entity types: the server sends one when the client is
 * positioned before the point from which the server's history of a table is complete (a new client, a table
 * added to capture, a table whose shape changed), or when the client subscribes to a new entity type.
 *
 * @param entityTypes the entity types the snapshot replaces
 * @param rowsReceived snapshot rows received so far
 * @param rowsEstimated the server's estimate of the snapshot's rows, or {@code null} when it has none
 */
public record SnapshotProgress(List<String> entityTypes, long rowsReceived, Long rowsEstimated) {

    public SnapshotProgress {
        entityTypes = List.copyOf(requireNonNull(entityTypes, "entityTypes is null"));
    }

    /** The share received, from 0 to 1, when the server gave an estimate (capped at 1: estimates are rough). */
    public Optional<Double> fraction() {
        if (rowsEstimated == null || rowsEstimated <= 0) {
            return Optional.empty();
        }
        return Optional.of(Math.min(1.0, (double) rowsReceived / rowsEstimated));
    }
}
