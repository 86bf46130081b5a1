package dev.tidemark.client.status;

/** Where a {@link dev.tidemark.client.TidemarkClient} is in its life. */
public enum ClientState {
    /** Built, not started. */
    NEW,
    /** Opening a connection, or waiting for the server's {@code welcome}. */
    CONNECTING,
    /** Welcomed by the server: receiving and applying batches. */
    CONNECTED,
    /**
     * The server could not continue from the store's position (another history, a position it no longer
     * holds, a checksum mismatch): the store was emptied and is loading the server's snapshot, or waiting for
     * the server to admit its resync. Its data is incomplete until the state leaves RESYNCING.
     */
    RESYNCING,
    /** The connection was lost; waiting (exponential backoff with jitter) before reconnecting. */
    BACKING_OFF,
    /**
     * The server cannot continue from the store's position (another history, or a position it no
     * longer holds). The client stopped streaming and left the store consistent at its committed
     * LSN. Terminal: sync into a new store, or resync this one.
     */
    RESYNC_REQUIRED,
    /**
     * The server refused the client for good: credentials, a protocol version, or a close code after
     * which retrying cannot help. Terminal: fix the configuration and start a new client.
     */
    FAILED,
    /** Closed by the application. Terminal. */
    CLOSED;

    /** True for the states a client never leaves except by closing. */
    public boolean isTerminal() {
        return this == RESYNC_REQUIRED || this == FAILED || this == CLOSED;
    }
}
