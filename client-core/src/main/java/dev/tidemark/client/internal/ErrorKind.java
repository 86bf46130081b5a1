package dev.tidemark.client.internal;

/** What kind of problem an {@link EngineError} reports; the client API mirrors these constants by name. */
public enum ErrorKind {
    /** The connection could not be opened or was lost. The client reconnects. */
    CONNECTION,
    /** The server refused the client's credentials or protocol version. The client stops. */
    REFUSED,
    /** The server sent something that breaks the protocol. */
    PROTOCOL,
    /** The server answered with an {@code error} message. */
    SERVER_ERROR,
    /** A batch's checksum did not match its data; it was not applied. */
    CHECKSUM_MISMATCH,
    /** A batch did not start at the store's committed LSN; it was not applied. */
    GAP,
    /** The store failed to apply a batch; nothing of it was kept. */
    STORE_FAILURE,
    /** A multi-part batch was cut off (connection lost, client closing); the store rolled it back. */
    INCOMPLETE_BATCH,
    /** The store's position cannot be continued from; the client stopped streaming. */
    RESYNC_REQUIRED
}
