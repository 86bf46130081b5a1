package dev.tidemark.client.testing;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;

/** Checks the upgrade request: the path, and the bearer token when the server requires one (HTTP 404 / 401 otherwise). */
final class UpgradeGate extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final ScriptedServer server;

    UpgradeGate(ScriptedServer server) {
        super(false);
        this.server = server;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        server.upgradeRequested(authorization);
        if (!new QueryStringDecoder(request.uri()).path().equals(ScriptedServer.PATH)) {
            refuse(ctx, request, HttpResponseStatus.NOT_FOUND);
            return;
        }
        String token = server.requiredToken();
        if (token != null && !("Bearer " + token).equals(authorization)) {
            refuse(ctx, request, HttpResponseStatus.UNAUTHORIZED);
            return;
        }
        ctx.fireChannelRead(request);
    }

    private static void refuse(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status) {
        request.release();
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status,
                Unpooled.copiedBuffer(status.reasonPhrase(), StandardCharsets.UTF_8));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
