package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** What a snapshot reads of its tables: everything, some entities of one type, or one type's key range. */
sealed interface SnapshotSelection {

    /** Every row of every table, after a {@code truncate} of each. */
    record Whole() implements SnapshotSelection {}

    /**
     * The rows whose entity ids are {@code ids} (as {@code update}s) and a {@code delete} of each id that has no
     * row; no {@code truncate}.
     */
    record Entities(List<String> ids) implements SnapshotSelection {
        public Entities {
            ids = List.copyOf(ids);
        }
    }

    /**
     * The rows whose key lies from {@code firstId} to {@code lastId} (both included; {@code null} for no bound)
     * in the primary key's order, as {@code update}s; no {@code truncate} and no {@code delete}.
     */
    record KeyRange(String firstId, String lastId) implements SnapshotSelection {}

    /** Refuses an empty entity type name early. */
    static String entityType(String entityType) {
        requireNonNull(entityType, "entityType is null");
        if (entityType.isBlank()) {
            throw new IllegalArgumentException("entityType is blank");
        }
        return entityType;
    }
}
