package dev.tidemark.server.http;

import dev.tidemark.server.hub.CloseCodes;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Closes with 1002 (protocol error) on a frame whose reserved bits (RSV1-3) are still set after the negotiated
 * extensions: the frame decoder lets them through when compression is enabled, because a connection that negotiated
 * {@code permessage-deflate} marks compressed messages with RSV1; its inflater clears the bit. On a connection that
 * did not negotiate it (and for RSV2, RSV3, or RSV1 on a control frame) nothing clears them.
 */
@ChannelHandler.Sharable
final class ReservedBitsHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof WebSocketFrame frame && frame.rsv() != 0) {
            int rsv = frame.rsv();
            frame.release();
            MessageTooBigHandler.closeAfterDrain(ctx, CloseCodes.PROTOCOL_ERROR, "a frame with reserved bits " + Integer.toBinaryString(rsv)
                    + " set, which no negotiated extension defines");
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
