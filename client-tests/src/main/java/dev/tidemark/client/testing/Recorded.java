package dev.tidemark.client.testing;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Message;

/**
 * A message the {@link ScriptedServer} received from a client.
 *
 * @param connection the server's number for the connection, from 1
 * @param message the message
 */
public record Recorded(int connection, Message message) {

    public Recorded {
        requireNonNull(message, "message is null");
    }
}
