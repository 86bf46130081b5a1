package dev.tidemark.server.http;

import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.ProtocolException;
import dev.tidemark.server.hub.ClientSession;
import dev.tidemark.server.hub.Hub;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects one upgraded WebSocket to its hub session: opens the session when the handshake completes,
 * decodes text frames into messages for it (an undecodable frame gets an {@code error}, the connection
 * stays), and tells it about writability and the end of the connection.
 */
final class SyncSessionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(SyncSessionHandler.class);

    private final Hub hub;
    private final MessageCodec codec;
    private ClientSession session;

    SyncSessionHandler(Hub hub, MessageCodec codec) {
        this.hub = hub;
        this.codec = codec;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            session = hub.open(new NettyClientChannel(ctx.channel()),
                    ctx.channel().attr(SyncUpgradeHandler.REQUEST).get());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof TextWebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (session == null) {
                return;
            }
            Message message;
            try {
                message = codec.decode(frame.text());
            } catch (ProtocolException e) {
                session.onMalformed(e);
                return;
            }
            session.onMessage(message);
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (session != null && ctx.channel().isWritable()) {
            session.onWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session != null) {
            session.onClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
