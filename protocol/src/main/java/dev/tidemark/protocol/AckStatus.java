package dev.tidemark.protocol;

/** The outcome reported by a {@code sync_ack}. On the wire: {@code success}, {@code error}. */
public enum AckStatus {
    /** Everything up to the ack's LSN is durably applied. */
    SUCCESS,
    /** The client could not apply what followed the ack's LSN; it is still at that LSN. */
    ERROR;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
