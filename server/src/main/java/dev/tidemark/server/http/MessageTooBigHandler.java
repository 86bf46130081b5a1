package dev.tidemark.server.http;

import dev.tidemark.server.hub.CloseCodes;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * Closes with 1009 (message too big) when fragments add up to more than {@code maxMessageBytes}. (A single
 * frame above {@code maxFrameBytes} is closed with 1009 by the frame decoder itself.)
 */
@ChannelHandler.Sharable
final class MessageTooBigHandler extends ChannelInboundHandlerAdapter {

    private final int maxMessageBytes;

    MessageTooBigHandler(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.MESSAGE_TOO_BIG,
                    "message above " + maxMessageBytes + " bytes")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
