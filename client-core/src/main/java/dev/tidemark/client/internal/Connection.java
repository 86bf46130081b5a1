package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
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
 * hands it protocol messages to send (the {@link AckPolicy} its acknowledgements). Sending on a
 * closed connection does nothing: what was not acknowledged is sent again after the reconnect,
 * from the store's committed LSN.
 */
final class Connection {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final int id;
    private final Channel channel;
    private final String clientId;
    private final MessageCodec codec;

    /** Verify requests waiting for their answer, oldest first; touched only on the event loop. */
    private final ArrayDeque<CompletableFuture<SyncVerifyResult>> verifies = new ArrayDeque<>();

    private volatile boolean welcomed;
    private volatile String closeReason;
    private volatile boolean refused;

    Connection(int id, Channel channel, String clientId, MessageCodec codec) {
        this.id = id;
        this.channel = requireNonNull(channel, "channel is null");
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.codec = requireNonNull(codec, "codec is null");
    }

    int id() {
        return id;
    }

    /** The client id this connection says hello with and acknowledges as. */
    String clientId() {
        return clientId;
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
            waiting.completeExceptionally(new VerifyRateLimitedException(reason));
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
