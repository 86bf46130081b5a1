package dev.tidemark.server.hub;

import dev.tidemark.protocol.Message;

/**
 * The phase of a {@link ClientSession}: each holds only what is valid in it and handles only the client's
 * messages valid in it; any other message gets the protocol's {@code error} and changes nothing. The session
 * moves between phases in one place ({@link ClientSession}, by {@link SessionTransitions}):
 *
 * <pre>
 * AwaitingHello ─hello─▶ Starting ─position ok─▶ Streaming ─resync─▶ Resyncing ─snapshot sent─▶ Streaming
 *                            │                        │    └─resync, no snapshots─▶ ResyncRequired
 *                            └─resync needed──────────┴──▶ Resyncing | ResyncRequired
 * every phase ─connection ends, refused, failed─▶ Closed
 * </pre>
 *
 * docs/architecture.md ("Hub session phases") lists the messages each phase accepts.
 */
sealed interface SessionPhase permits AwaitingHello, Starting, Streaming, Resyncing, ResyncRequired, Closed {

    /** The phase's name in stats and log lines, e.g. {@code STREAMING}. */
    String name();

    /**
     * A message the client may send ({@code hello}, {@code sync_ack}, {@code sync_verify}, {@code source_verify},
     * {@code source_diff}, {@code source_entries}); one not valid in this phase gets an {@code error}.
     */
    void onMessage(Message message);

    /** The client, once it said who it is; null while awaiting its hello. */
    default Peer peer() {
        return null;
    }

    /** The outbox streaming now, or the last one (stopped) before a resync; null when there was none. */
    default Outbox outbox() {
        return null;
    }

    /** More may be written now: the log moved on, or the connection can take writes again. */
    default void pump() {
    }

    /** The session leaves this phase: whatever the phase started (a timer, a stream) stops. */
    default void exit() {
    }
}
