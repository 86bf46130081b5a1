package dev.tidemark.client.status;

import static java.util.Objects.requireNonNull;

/**
 * A problem the client met and already handled — it acknowledged {@code error} so the server resends,
 * reconnected, or stopped (see {@link Kind}). Reported for logs and monitoring; nothing was half-applied.
 *
 * @param kind what kind of problem
 * @param message what happened and what the client does about it
 * @param cause the exception behind it, or {@code null}
 */
public record SyncError(Kind kind, String message, Throwable cause) {

    public SyncError {
        requireNonNull(kind, "kind is null");
        requireNonNull(message, "message is null");
    }

    /** What kind of problem, and what the client does about it. */
    public enum Kind {
        /** The connection could not be opened or was lost. The client reconnects with backoff. */
        CONNECTION,
        /** The server refused the client's credentials or protocol version. The client stops ({@link ClientState#FAILED}). */
        REFUSED,
        /** The server sent something that breaks the protocol; the client answered with {@code error}. */
        PROTOCOL,
        /** The server rejected a message of the client with an {@code error} message. */
        SERVER_ERROR,
        /** A batch's checksum did not match its data. Not applied; acknowledged {@code error}, so the server resends. */
        CHECKSUM_MISMATCH,
        /** A batch did not start at the store's committed LSN. Not applied; acknowledged {@code error}. */
        GAP,
        /** The store failed to apply a batch and rolled it back. Acknowledged {@code error}; the server resends. */
        STORE_FAILURE,
        /** A multi-part batch was cut off (connection lost, client closing); the store rolled it back. */
        INCOMPLETE_BATCH,
        /** The server cannot continue from the store's position. The client stops ({@link ClientState#RESYNC_REQUIRED}). */
        RESYNC_REQUIRED
    }
}
