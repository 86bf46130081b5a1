package dev.tidemark.client.spi;

/** Why a {@link SyncStoreException} was thrown; callers branch on it, users read the message. */
public enum StoreErrorCode {
    /** No provider on the class path has the requested name. Add the store's artifact, or fix the name. */
    UNKNOWN_STORE,
    /**
     * A provider on the class path is broken: two providers claim one name, a name is not
     * {@code [a-z][a-z0-9_-]*}, or a provider cannot be instantiated. Remove or fix the plugin.
     */
    INVALID_PROVIDER,
    /** A setting is missing, unknown, or has a bad value. Fix the configuration. */
    INVALID_CONFIG,
    /** The storage cannot be reached, created or opened (missing permission, database down, not a store). */
    UNAVAILABLE,
    /** The storage was written by a newer version of the store than this one. Upgrade Tidemark. */
    INCOMPATIBLE_SCHEMA,
    /** A change cannot be stored (its data is not a JSON object, an id is too long). Retrying will not help. */
    INVALID_CHANGE,
    /** The storage failed while reading or writing (I/O error, disk full, lost connection). Retrying may help. */
    STORAGE_FAILURE,
    /** The store was closed. */
    CLOSED
}
