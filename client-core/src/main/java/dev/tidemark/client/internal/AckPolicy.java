package dev.tidemark.client.internal;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.LsnCommitted;
import java.util.List;

/**
 * When the client's position moves and what the server hears about it: acknowledge after the store committed
 * ({@link #afterCommit()}, the default and the safe mode) or take the position on receipt and acknowledge
 * nothing ({@link #eager()}, documented as unsafe). Chosen once per client from the API's {@code AckMode}.
 * Methods run on the applier thread unless they say otherwise.
 */
public sealed interface AckPolicy permits AckAfterCommit, EagerAck {

    /** Acknowledge each batch after the store committed it; the server resyncs a store it cannot continue from. */
    static AckPolicy afterCommit() {
        return new AckAfterCommit();
    }

    /** Acknowledge nothing; resume from what was received. Unsafe; a fallback for servers without acks. */
    static AckPolicy eager() {
        return new EagerAck();
    }

    /** The {@code hello} for a new connection, from the store's committed LSN. */
    Hello hello(String clientId, Lsn committed, String historyId, List<String> subscriptions, HeldTypes held);

    /**
     * True when the server resyncs a store it cannot continue from (empties it and sends a snapshot); false when
     * the client must stop instead ({@code RESYNC_REQUIRED}).
     */
    boolean serverResyncs();

    /** A {@code changes} message arrived on {@code connection}. Event loop. */
    default void received(Connection connection, Changes changes) {}

    /** {@code connection} closed. Event loop. */
    default void closed(Connection connection) {}

    /** The store committed a batch. */
    void committed(Connection connection, LsnCommitted committed);

    /** A batch the store already has (at or before its committed LSN) arrived. */
    void duplicate(Connection connection, BatchHeader header);

    /** A batch was not applied; the store stays at {@code committed}. */
    void refused(Connection connection, BatchHeader header, Lsn committed, String message);

    /** What happens after a refused batch, for messages: "the server resends from …" or "reconnecting from …". */
    String recovery(Lsn committed);

    /** A warning to log when a client starts in this mode, or null. */
    String startupWarning();
}
