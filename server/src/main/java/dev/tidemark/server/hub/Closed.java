package dev.tidemark.server.hub;

import dev.tidemark.protocol.Message;

/**
 * The session ended: the connection closed, or the server closed it after its last message (a close frame is
 * sent or the socket is gone). Final: no message is answered, since nothing may be written after the close
 * frame (RFC 6455 section 5.5.1), and nothing changes.
 *
 * @param peer the client, or null when it never said hello
 * @param last the last outbox (stopped), or null
 */
record Closed(Peer peer, Outbox last) implements SessionPhase {

    @Override
    public String name() {
        return "CLOSED";
    }

    @Override
    public void onMessage(Message message) {
        // Nothing may be written after the close frame: the message is dropped, nothing changes.
    }

    @Override
    public Outbox outbox() {
        return last;
    }
}
