package dev.tidemark.client.internal;

import static dev.tidemark.client.internal.ClientEvent.CLOSE;
import static dev.tidemark.client.internal.ClientEvent.CONNECT;
import static dev.tidemark.client.internal.ClientEvent.CONNECTION_LOST;
import static dev.tidemark.client.internal.ClientEvent.REFUSED;
import static dev.tidemark.client.internal.ClientEvent.RESYNC_FINISHED;
import static dev.tidemark.client.internal.ClientEvent.RESYNC_PACED;
import static dev.tidemark.client.internal.ClientEvent.RESYNC_REQUIRED;
import static dev.tidemark.client.internal.ClientEvent.RESYNC_STARTED;
import static dev.tidemark.client.internal.ClientEvent.START;
import static dev.tidemark.client.internal.ClientEvent.WELCOMED;

import dev.tidemark.client.status.ClientState;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The client's state machine: from-state × {@link ClientEvent} → to-state. A pair that is not in the table
 * is not a transition and is refused. An entry whose to-state is its from-state is legal and changes
 * nothing (a second connection attempt while connecting, a paced resync while resyncing, closing twice).
 * docs/architecture.md, "Client states", shows the same table.
 */
final class ClientTransitions {

    private final Map<ClientState, Map<ClientEvent, ClientState>> table = new EnumMap<>(ClientState.class);

    ClientTransitions() {
        on(ClientState.NEW, START, ClientState.CONNECTING);
        on(ClientState.NEW, CLOSE, ClientState.CLOSED);

        on(ClientState.CONNECTING, CONNECT, ClientState.CONNECTING);
        on(ClientState.CONNECTING, WELCOMED, ClientState.CONNECTED);
        on(ClientState.CONNECTING, CONNECTION_LOST, ClientState.BACKING_OFF);
        on(ClientState.CONNECTING, RESYNC_PACED, ClientState.RESYNCING);
        on(ClientState.CONNECTING, RESYNC_REQUIRED, ClientState.RESYNC_REQUIRED);
        on(ClientState.CONNECTING, REFUSED, ClientState.FAILED);
        on(ClientState.CONNECTING, CLOSE, ClientState.CLOSED);

        on(ClientState.CONNECTED, CONNECTION_LOST, ClientState.BACKING_OFF);
        on(ClientState.CONNECTED, RESYNC_PACED, ClientState.RESYNCING);
        on(ClientState.CONNECTED, RESYNC_STARTED, ClientState.RESYNCING);
        on(ClientState.CONNECTED, RESYNC_REQUIRED, ClientState.RESYNC_REQUIRED);
        on(ClientState.CONNECTED, REFUSED, ClientState.FAILED);
        on(ClientState.CONNECTED, CLOSE, ClientState.CLOSED);

        on(ClientState.RESYNCING, CONNECT, ClientState.CONNECTING);
        on(ClientState.RESYNCING, WELCOMED, ClientState.RESYNCING);
        on(ClientState.RESYNCING, CONNECTION_LOST, ClientState.BACKING_OFF);
        on(ClientState.RESYNCING, RESYNC_PACED, ClientState.RESYNCING);
        on(ClientState.RESYNCING, RESYNC_STARTED, ClientState.RESYNCING);
        on(ClientState.RESYNCING, RESYNC_FINISHED, ClientState.CONNECTED);
        on(ClientState.RESYNCING, RESYNC_REQUIRED, ClientState.RESYNC_REQUIRED);
        on(ClientState.RESYNCING, REFUSED, ClientState.FAILED);
        on(ClientState.RESYNCING, CLOSE, ClientState.CLOSED);

        on(ClientState.BACKING_OFF, CONNECT, ClientState.CONNECTING);
        on(ClientState.BACKING_OFF, CONNECTION_LOST, ClientState.BACKING_OFF);
        on(ClientState.BACKING_OFF, RESYNC_REQUIRED, ClientState.RESYNC_REQUIRED);
        on(ClientState.BACKING_OFF, REFUSED, ClientState.FAILED);
        on(ClientState.BACKING_OFF, CLOSE, ClientState.CLOSED);

        on(ClientState.RESYNC_REQUIRED, CLOSE, ClientState.CLOSED);
        on(ClientState.FAILED, CLOSE, ClientState.CLOSED);
        on(ClientState.CLOSED, CLOSE, ClientState.CLOSED);
    }

    private void on(ClientState from, ClientEvent event, ClientState to) {
        table.computeIfAbsent(from, ignored -> new EnumMap<>(ClientEvent.class)).put(event, to);
    }

    /** Where {@code event} takes a client in state {@code from}; empty when it is no transition of that state. */
    Optional<ClientState> next(ClientState from, ClientEvent event) {
        return Optional.ofNullable(table.getOrDefault(from, Map.of()).get(event));
    }

    /** The whole table, for documentation and tests. */
    Map<ClientState, Map<ClientEvent, ClientState>> table() {
        Map<ClientState, Map<ClientEvent, ClientState>> copy = new EnumMap<>(ClientState.class);
        table.forEach((from, row) -> copy.put(from, Collections.unmodifiableMap(new EnumMap<>(row))));
        return Collections.unmodifiableMap(copy);
    }
}
