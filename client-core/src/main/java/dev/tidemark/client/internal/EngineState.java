package dev.tidemark.client.internal;

/** Where a {@link SyncEngine} is in its life; the client API mirrors these constants by name. */
public enum EngineState {
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
    /** The connection was lost; waiting before the next attempt. */
    BACKING_OFF,
    /** The server cannot continue from the store's position; streaming stopped. Terminal. */
    RESYNC_REQUIRED,
    /** The server refused the client for good (credentials, protocol version); streaming stopped. Terminal. */
    FAILED,
    /** Closed by the application. Terminal. */
    CLOSED;

    /** True for the states a client never leaves except by closing. */
    public boolean isTerminal() {
        return this == RESYNC_REQUIRED || this == FAILED || this == CLOSED;
    }
}
