package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.LsnCommitted;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection to the server: the transport's side of the conversation. The applier
 * hands it protocol messages to send; {@link #acknowledge(LsnCommitted)} turns the applier's
 * {@code lsn_committed} into a {@code sync_ack}. Sending on a closed connection does nothing: what
 * was not acknowledged is sent again after the reconnect, from the store's committed LSN.
 */
final class Connection {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final int id;
    private final Channel channel;
    private final String clientId;
    private final boolean eager;
    private final MessageCodec codec;

    /** Verify requests waiting for their answer, oldest first; touched only on the event loop. */
    private final ArrayDeque<CompletableFuture<SyncVerifyResult>> verifies = new ArrayDeque<>();

    /** End of the last complete batch received (eager mode's resume position), or null. */
    private volatile Lsn received;
    /** False once the eager resume position of this connection must not be used. */
    private volatile boolean resumable = true;
    private volatile boolean welcomed;
    private volatile String closeReason;
    private volatile boolean refused;

    Connection(int id, Channel channel, String clientId, boolean eager, MessageCodec codec) {
        this.id = id;
        this.channel = requireNonNull(channel, "channel is null");
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.eager = eager;
        this.codec = requireNonNull(codec, "codec is null");
    }

    int id() {
        return id;
    }

    Channel channel() {
        return channel;
    }

    boolean isOpen() {
        return channel.isActive();
    }

    /** Encodes {@code message} on the calling thread and writes it; does nothing once closed. */
    void send(Message message) {
        if (!channel.isActive()) {
            log.debug("connection {} is closed; not sending {}", id, message.type());
            return;
        }
        channel.writeAndFlush(new TextWebSocketFrame(codec.encode(message)), channel.voidPromise());
    }

    /**
     * The applier's {@code lsn_committed}: the store committed everything up to its LSN. Sends
     * {@code sync_ack success} (not in eager mode, where the server does not wait for acks).
     */
    void acknowledge(LsnCommitted committed) {
        if (!eager) {
            send(SyncAck.success(clientId, committed.lsn(), committed.batchId()));
        }
    }

    /** Sends {@code verify} and completes {@code result} with the server's answer. */
    void sendVerify(SyncVerify verify, CompletableFuture<SyncVerifyResult> result) {
        String text = codec.encode(verify);
        channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                result.completeExceptionally(new IllegalStateException(
                        "the connection closed before sync_verify could be sent; verify again once connected"));
                return;
            }
            verifies.addLast(result);
            channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
        });
    }

    /** Completes the oldest waiting verify request; false when none was waiting. Event loop only. */
    boolean verifyAnswered(SyncVerifyResult result) {
        CompletableFuture<SyncVerifyResult> waiting = verifies.pollFirst();
        if (waiting == null) {
            return false;
        }
        waiting.complete(result);
        return true;
    }

    /** The server refused the oldest waiting verify request (rate limited). Event loop only. */
    void verifyRefused(String reason) {
        CompletableFuture<SyncVerifyResult> waiting = verifies.pollFirst();
        if (waiting != null) {
            waiting.completeExceptionally(new VerifyRefusedException(reason));
        }
    }

    /** Fails every waiting verify request. Event loop only. */
    void failVerifies(String reason) {
        CompletableFuture<SyncVerifyResult> waiting;
        while ((waiting = verifies.pollFirst()) != null) {
            waiting.completeExceptionally(new IllegalStateException(
                    "the connection closed before the server answered sync_verify (" + reason + "); verify again"));
        }
    }

    /** A complete batch ending at {@code lsn} arrived (eager bookkeeping). */
    void received(Lsn lsn) {
        received = lsn;
    }

    /** Where an eager client may resume after this connection, or null. */
    Lsn resumePosition() {
        return resumable ? received : null;
    }

    /** Forbids resuming from what this connection received (eager mode lost a batch). */
    void forgetReceived() {
        resumable = false;
    }

    void welcomed() {
        welcomed = true;
    }

    boolean isWelcomed() {
        return welcomed;
    }

    /** Remembers why the connection ended, the first reason given wins. */
    void closing(String reason, boolean refusedForGood) {
        if (closeReason == null) {
            closeReason = reason;
            refused = refusedForGood;
        }
    }

    String closeReason() {
        return closeReason == null ? "the connection closed" : closeReason;
    }

    /** True when the server refused this client for good (credentials, protocol version). */
    boolean refused() {
        return refused;
    }

    /** Closes with a WebSocket close frame, then the socket. */
    void close(int code, String reason) {
        closing(reason, false);
        if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(code, reason))
                    .addListener(future -> channel.close());
        } else {
            channel.close();
        }
    }

    /** Closes the socket at once. */
    void abort(String reason) {
        closing(reason, false);
        channel.close();
    }

    @Override
    public String toString() {
        return "connection " + id;
    }
}
