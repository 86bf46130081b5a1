package dev.tidemark.server.capture;

/** What went wrong in capture; {@link CaptureException#error()} carries it so callers can branch. */
public enum CaptureError {
    /** The source runs a PostgreSQL version capture does not support. */
    UNSUPPORTED_VERSION,
    /** The source's {@code wal_level} is not {@code logical}. */
    WAL_LEVEL,
    /** The role may not replicate. */
    NO_REPLICATION_PRIVILEGE,
    /** The publication is missing, or differs from the configuration and may not be changed. */
    PUBLICATION,
    /** The replication slot is missing, of the wrong kind, or busy. */
    SLOT,
    /** A published table cannot be captured as configured (no primary key, unknown table). */
    TABLE,
    /** The settings are invalid. */
    CONFIGURATION,
    /** The replication stream held something capture cannot decode. */
    DECODING,
    /** The source could not be reached or failed. */
    SOURCE,
    /** The change log refused a write. */
    CHANGE_LOG,
    /**
     * Another node captures into this change log (it holds the capture lease), this node lost its lease
     * while capturing, or this node's slot differs from the one the change log is captured from.
     */
    LEASE
}
