package dev.tidemark.server.hub;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a session's messages to its connection, and the parts of a snapshot batch with the connection's
 * back-pressure: a part's future completes once the connection is writable again. Runs on the session's thread.
 */
final class SessionWriter {

    private final ClientChannel channel;
    private final MessageCodec codec;
    private final HubMetrics metrics;
    /** A snapshot part waiting for the connection to become writable, or null. */
    private CompletableFuture<Void> writableWaiter;

    SessionWriter(ClientChannel channel, MessageCodec codec, HubMetrics metrics) {
        this.channel = channel;
        this.codec = codec;
        this.metrics = metrics;
    }

    /** Writes {@code message} and flushes. */
    void send(Message message) {
        write(message);
        channel.flush();
    }

    /** Sends the protocol's {@code error}. */
    void error(ErrorCode code, String message) {
        send(new ErrorMessage(code, message));
    }

    /** Writes one part of a snapshot batch; the future completes once the connection can take the next. */
    CompletableFuture<Void> writePart(Changes part) {
        metrics.messages.increment();
        metrics.changes.increment(part.data().size());
        write(part);
        channel.flush();
        if (channel.isWritable()) {
            return CompletableFuture.completedFuture(null);
        }
        writableWaiter = new CompletableFuture<>();
        return writableWaiter;
    }

    /** The connection can take writes again: a waiting part goes on. */
    void writable() {
        if (writableWaiter != null && channel.isWritable()) {
            CompletableFuture<Void> waiter = writableWaiter;
            writableWaiter = null;
            waiter.complete(null);
        }
    }

    /** The connection is gone: a waiting part fails. */
    void closed() {
        if (writableWaiter != null) {
            writableWaiter.completeExceptionally(new IllegalStateException("the connection closed"));
            writableWaiter = null;
        }
    }

    private void write(Message message) {
        channel.write(Utf8Messages.encode(channel.alloc(), codec, message));
    }
}
