package dev.tidemark.client.internal;

/**
 * What happens to a client that may change its {@link dev.tidemark.client.status.ClientState}. The transport
 * and the applier report these to the {@link StatusBoard}, which alone changes the state, on the event loop,
 * by the table in {@link ClientTransitions}.
 */
enum ClientEvent {
    /** The application started the client. */
    START,
    /** A connection attempt begins (the first, or one after a backoff or a paced resync). */
    CONNECT,
    /** The server welcomed the current connection and the store's history matches. */
    WELCOMED,
    /** The connection could not be opened or was lost; a reconnect waits for the backoff. */
    CONNECTION_LOST,
    /** The server must resync this client and paces resyncs: come back later. */
    RESYNC_PACED,
    /** The store was emptied and is loading the server's snapshot. */
    RESYNC_STARTED,
    /** The resync snapshot is loaded; streaming continues from it. */
    RESYNC_FINISHED,
    /** The server cannot continue from the store's position, and this client cannot resync. */
    RESYNC_REQUIRED,
    /** The server refused the client for good (credentials, protocol version). */
    REFUSED,
    /** The application closed the client. */
    CLOSE
}
