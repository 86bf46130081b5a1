package dev.tidemark.server.http;

import dev.tidemark.server.hub.CloseCodes;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;

/** Closes with 1003 (unsupported data) on a binary frame: the protocol is JSON text. */
@ChannelHandler.Sharable
final class BinaryFrameHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame frame) {
            frame.release();
            MessageTooBigHandler.closeAfterDrain(ctx, CloseCodes.UNSUPPORTED_DATA,
                    "binary frames are not supported: send JSON text");
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
