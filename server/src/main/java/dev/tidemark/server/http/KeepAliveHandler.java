package dev.tidemark.server.http;

import dev.tidemark.server.hub.CloseCodes;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;

/**
 * Keeps WebSocket connections alive and drops dead ones: after every {@code pingInterval} without a byte from
 * the client it sends a ping (a live client's pong resets the count); after {@code idleTimeout} of silence it
 * closes with 1001. A connection that never upgraded is simply closed after {@code idleTimeout}. Driven by the
 * {@link io.netty.handler.timeout.IdleStateHandler} at the front of the pipeline, set to {@code pingInterval}.
 */
final class KeepAliveHandler extends ChannelInboundHandlerAdapter {

    private final long pingIntervalNanos;
    private final long idleTimeoutNanos;
    private boolean upgraded;
    private int silentIntervals;

    KeepAliveHandler(Duration pingInterval, Duration idleTimeout) {
        this.pingIntervalNanos = pingInterval.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            upgraded = true;
        } else if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            silentIntervals = idle.isFirst() ? 1 : silentIntervals + 1;
            if (silentIntervals * pingIntervalNanos >= idleTimeoutNanos) {
                if (upgraded) {
                    ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.GOING_AWAY, "idle timeout"))
                            .addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.close();
                }
            } else if (upgraded) {
                ctx.writeAndFlush(new PingWebSocketFrame());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
