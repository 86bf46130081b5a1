package dev.tidemark.protocol;

import java.util.Locale;

/**
 * What a {@link Change} does to its entity. On the wire: {@code update}, {@code delete},
 * {@code truncate}, {@code move}.
 */
public enum ChangeType {
    /**
     * Upsert that merges: the entity is created if absent; otherwise the columns present in the data
     * replace the stored ones and absent columns keep their stored value.
     */
    UPDATE,
    /** Removes the entity. */
    DELETE,
    /** Removes every entity of the change's entity type. */
    TRUNCATE,
    /**
     * Moves an entity to a new key (a primary-key change at the source): the entity stored under
     * {@link Change#fromId()}, if any, is removed, and its columns merged with the data (as
     * {@link #UPDATE} merges) are stored under {@link Change#entityId()}. When nothing is stored under
     * {@code fromId}, it acts as an {@link #UPDATE} of {@code entityId}.
     */
    MOVE;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The type as it appears on the wire. */
    public String wireName() {
        return wireName;
    }

    /** Parses a wire name, or throws {@link ErrorCode#INVALID_FIELD}. */
    public static ChangeType fromWireName(String wireName) {
        switch (wireName) {
            case "update":
                return UPDATE;
            case "delete":
                return DELETE;
            case "truncate":
                return TRUNCATE;
            case "move":
                return MOVE;
            default:
                break;
        }
        throw new ProtocolException(ErrorCode.INVALID_FIELD,
                "unknown change type '" + wireName + "': expected update, delete, truncate or move");
    }
}
