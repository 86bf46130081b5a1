package dev.tidemark.server.hub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;

/**
 * The hub's view of one client connection: where its session runs and how to write to it. Implemented by
 * the WebSocket endpoint; every method except {@link #pendingOutboundBytes()} is called on
 * {@link #executor()}.
 */
public interface ClientChannel {

    /** The thread the session runs on; every session callback arrives there. */
    EventExecutor executor();

    /** Allocator for encoded messages. */
    ByteBufAllocator alloc();

    /** False while the connection's outbound buffer is above its high-water mark: stop writing. */
    boolean isWritable();

    /** Bytes written but not yet sent to the socket. Safe to call from any thread. */
    long pendingOutboundBytes();

    /** Writes one text message (UTF-8 JSON), without flushing. Takes ownership of {@code text}. */
    void write(ByteBuf text);

    /** Flushes what was written. */
    void flush();

    /** Sends a close with {@code statusCode} and {@code reason}, then closes the connection. */
    void close(int statusCode, String reason);

    /** The peer's address, for log lines. */
    String remoteAddress();
}
