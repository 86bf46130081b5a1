package dev.tidemark.protocol;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One change to one entity, as carried in a {@code changes} message and handed to a store.
 *
 * <p>Create changes through the factories {@link #update}, {@link #delete}, {@link #truncate} and
 * {@link #move}.
 *
 * @param type what the change does
 * @param entityType the table: {@code table} in the {@code public} schema, {@code schema.table}
 *     elsewhere
 * @param entityId the primary key as text (a composite key as JSON array text); {@code null} only
 *     for {@link ChangeType#TRUNCATE}. For {@link ChangeType#MOVE} the new key
 * @param data the columns as a compact JSON object text: for {@code update} and {@code move} the
 *     columns sent (absent columns keep their stored value), for {@code delete} the key columns or
 *     {@code null}, for {@code truncate} {@code null}. Text produced by {@link MessageCodec} or
 *     {@link Json#canonicalObject(String)} is canonical, so checksums agree on both ends
 * @param timestamp the commit time of the source transaction
 * @param fromId for {@link ChangeType#MOVE} the entity's previous key (required); {@code null} for
 *     every other type
 */
public record Change(ChangeType type, String entityType, String entityId, String data, Instant timestamp,
        String fromId) {

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
        if (type == ChangeType.MOVE) {
            requireNonNull(data, "data of a move is null");
            requireNonNull(fromId, "fromId of a move is null");
        } else if (fromId != null) {
            throw new IllegalArgumentException("only a move carries a fromId, not a " + type.wireName());
        }
    }

    /**
     * A change that is not a {@code move} (no {@code fromId}). Prefer the factories.
     */
    public Change(ChangeType type, String entityType, String entityId, String data, Instant timestamp) {
        this(type, entityType, entityId, data, timestamp, null);
    }

    /** An upsert that merges {@code data} (a JSON object text) into the entity. */
    public static Change update(String entityType, String entityId, String data, Instant timestamp) {
        return new Change(ChangeType.UPDATE, entityType, entityId, data, timestamp, null);
    }

    /** Removes the entity. */
    public static Change delete(String entityType, String entityId, Instant timestamp) {
        return new Change(ChangeType.DELETE, entityType, entityId, null, timestamp, null);
    }

    /** Removes the entity; {@code keyData} (a JSON object text of the key columns) may be {@code null}. */
    public static Change delete(String entityType, String entityId, String keyData, Instant timestamp) {
        return new Change(ChangeType.DELETE, entityType, entityId, keyData, timestamp, null);
    }

    /** Removes every entity of {@code entityType}. */
    public static Change truncate(String entityType, Instant timestamp) {
        return new Change(ChangeType.TRUNCATE, entityType, null, null, timestamp, null);
    }

    /**
     * Moves the entity stored under {@code fromId} to {@code toId}, merging {@code data} (a JSON
     * object text) into it: the entity under {@code fromId}, if any, is removed, and its columns
     * merged with {@code data} (as {@link #update} merges) are stored under {@code toId}. When nothing
     * is stored under {@code fromId}, this acts as an {@code update} of {@code toId}.
     */
    public static Change move(String entityType, String fromId, String toId, String data, Instant timestamp) {
        return new Change(ChangeType.MOVE, entityType, toId, data, timestamp, fromId);
    }
}
