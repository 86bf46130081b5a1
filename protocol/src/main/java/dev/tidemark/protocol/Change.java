package dev.tidemark.protocol;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One change to one entity, as carried in a {@code changes} message and handed to a store.
 *
 * @param type what the change does
 * @param entityType the table: {@code table} in the {@code public} schema, {@code schema.table}
 *     elsewhere
 * @param entityId the primary key as text (a composite key as JSON array text); {@code null} only
 *     for {@link ChangeType#TRUNCATE}
 * @param data the columns as a compact JSON object text: for {@code update} the columns sent
 *     (absent columns keep their stored value), for {@code delete} the key columns or {@code null},
 *     for {@code truncate} {@code null}. Text produced by {@link MessageCodec} or
 *     {@link Json#canonicalObject(String)} is canonical, so checksums agree on both ends
 * @param timestamp the commit time of the source transaction
 */
public record Change(ChangeType type, String entityType, String entityId, String data, Instant timestamp) {

    public Change {
        requireNonNull(type, "type is null");
        requireNonNull(entityType, "entityType is null");
        requireNonNull(timestamp, "timestamp is null");
        if (entityType.isEmpty()) {
            throw new IllegalArgumentException("entityType is empty");
        }
        if (type == ChangeType.TRUNCATE) {
            if (entityId != null || data != null) {
                throw new IllegalArgumentException("a truncate carries no entityId and no data");
            }
        } else {
            requireNonNull(entityId, "entityId is null");
            if (type == ChangeType.UPDATE) {
                requireNonNull(data, "data of an update is null");
            }
        }
    }

    /** An upsert that merges {@code data} (a JSON object text) into the entity. */
    public static Change update(String entityType, String entityId, String data, Instant timestamp) {
        return new Change(ChangeType.UPDATE, entityType, entityId, data, timestamp);
    }

    /** Removes the entity. */
    public static Change delete(String entityType, String entityId, Instant timestamp) {
        return new Change(ChangeType.DELETE, entityType, entityId, null, timestamp);
    }

    /** Removes every entity of {@code entityType}. */
    public static Change truncate(String entityType, Instant timestamp) {
        return new Change(ChangeType.TRUNCATE, entityType, null, null, timestamp);
    }
}
