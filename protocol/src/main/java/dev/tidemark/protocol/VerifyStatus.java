package dev.tidemark.protocol;

/** The answer of a {@code sync_verify_result}. */
public enum VerifyStatus {
    /** The client has everything up to the server's position. */
    UP_TO_DATE,
    /** The client is behind within the retained history; {@code changes} from its LSN follow. */
    CHANGES_FOLLOW,
    /** The client cannot continue from its position: it must load a snapshot. */
    RESYNC_REQUIRED;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
