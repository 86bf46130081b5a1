package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncVerifyResult;
import java.util.concurrent.CompletableFuture;

/**
 * What the transport (and the engine) hand to the applier through the {@link Inbox}: protocol
 * messages from the server, in arrival order, framed by the connection events that bound them, plus
 * the few requests that must run between two store writes.
 */
sealed interface Inbound {

    /** A connection finished its WebSocket upgrade; the applier answers with {@code hello}. */
    record Opened(Connection connection) implements Inbound {
        public Opened {
            requireNonNull(connection, "connection is null");
        }
    }

    /**
     * A message from the server. {@code intact} is false for a {@code changes} message whose checksum
     * does not match its data; the transport checks it on receipt, so the applier's thread — the
     * pipeline's bottleneck, busy with the store — does not have to.
     */
    record Received(Connection connection, Message message, boolean intact) implements Inbound {
        public Received {
            requireNonNull(connection, "connection is null");
            requireNonNull(message, "message is null");
        }

        /** A received message, its checksum checked here when it is a {@code changes}. */
        static Received of(Connection connection, Message message) {
            return new Received(connection, message, !(message instanceof Changes changes) || changes.checksumMatches());
        }
    }

    /** The connection is gone; nothing more will be received on it. */
    record Closed(Connection connection, String reason) implements Inbound {
        public Closed {
            requireNonNull(connection, "connection is null");
            requireNonNull(reason, "reason is null");
        }
    }

    /** The application asked for a {@code sync_verify}; the applier reads the position between writes. */
    record VerifyRequested(CompletableFuture<SyncVerifyResult> result) implements Inbound {
        public VerifyRequested {
            requireNonNull(result, "result is null");
        }
    }

    /** The application asked for a verify against the source; the applier digests between writes. */
    record SourceVerifyRequested(SourceVerifier.Request request) implements Inbound {
        public SourceVerifyRequested {
            requireNonNull(request, "request is null");
        }
    }

    /** The server answered the startup verification: the pending marker can go. */
    record ClearPending() implements Inbound {}

    /** Everything received before was handled: the engine may open the next connection. */
    record ConnectNow() implements Inbound {}

    /** The engine is closing: stop now (an unfinished multi-part batch rolls back). */
    record Stop() implements Inbound {}
}
