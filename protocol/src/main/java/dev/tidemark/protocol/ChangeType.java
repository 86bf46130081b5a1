package dev.tidemark.protocol;

import java.util.Locale;

/** What a {@link Change} does to its entity. On the wire: {@code update}, {@code delete}, {@code truncate}. */
public enum ChangeType {
    /**
     * Upsert that merges: the entity is created if absent; otherwise the columns present in the data
     * replace the stored ones and absent columns keep their stored value.
     */
    UPDATE,
    /** Removes the entity. */
    DELETE,
    /** Removes every entity of the change's entity type. */
    TRUNCATE;

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
            default:
                break;
        }
        throw new ProtocolException(ErrorCode.INVALID_FIELD,
                "unknown change type '" + wireName + "': expected update, delete or truncate");
    }
}
