package dev.tidemark.client.internal;

import dev.tidemark.protocol.Message;

/** What the transport tells the engine. Called on the transport's event loop. */
interface TransportEvents {

    /** The WebSocket upgrade succeeded. */
    void opened(Connection connection);

    /** A valid protocol message arrived. */
    void received(Connection connection, Message message);

    /** The server sent something that is not a valid message; it was answered with {@code error}. */
    void malformed(Connection connection, String problem);

    /** The connection is closed; {@link Connection#closeReason()} says why. */
    void closed(Connection connection);
}
