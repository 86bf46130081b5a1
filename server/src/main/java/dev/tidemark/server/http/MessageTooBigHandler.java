package dev.tidemark.server.http;

import dev.tidemark.server.hub.CloseCodes;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes with 1009 (message too big) when fragments add up to more than {@code maxMessageBytes}, and owns the
 * way every protocol-violation close is done ({@link #closeAfterDrain}): a single frame above
 * {@code maxFrameBytes}, invalid UTF-8 and binary frames close through it too.
 */
@ChannelHandler.Sharable
final class MessageTooBigHandler extends ChannelInboundHandlerAdapter {

    /** How long a closing connection's remaining input is read and dropped before the socket is closed anyway. */
    static final Duration DRAIN_LIMIT = Duration.ofSeconds(10);

    private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf(MessageTooBigHandler.class, "closing");

    private final int maxMessageBytes;

    MessageTooBigHandler(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (isClosing(ctx.channel())) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            closeAfterDrain(ctx, CloseCodes.MESSAGE_TOO_BIG, "message above " + maxMessageBytes + " bytes");
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    static boolean isClosing(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(CLOSING).get());
    }

    /**
     * Sends a close frame with {@code code}, then half-closes and keeps reading (and dropping) what the client still
     * sends until it closes or {@link #DRAIN_LIMIT} passes. Closing the socket at once while a large frame is still
     * arriving makes the kernel answer with a reset, which discards the close frame on the client's side: the
     * client would see an abnormal closure (1006) instead of the documented code.
     */
    static void closeAfterDrain(ChannelHandlerContext ctx, int code, String reason) {
        Channel channel = ctx.channel();
        if (channel.attr(CLOSING).getAndSet(Boolean.TRUE) != null) {
            return;
        }
        channel.config().setAutoRead(true);
        // Drop raw input before any decoder sees it: cheap however much the client still sends.
        channel.pipeline().addFirst(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext drain, Object msg) {
                ReferenceCountUtil.release(msg);
            }
        });
        ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(written -> {
            if (written.isSuccess() && channel instanceof DuplexChannel duplex && duplex.isActive()) {
                duplex.shutdownOutput();
            } else {
                channel.close();
            }
        });
        ScheduledFuture<?> limit = ctx.executor().schedule(() -> {
            channel.close();
        }, DRAIN_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(closed -> limit.cancel(false));
    }
}
