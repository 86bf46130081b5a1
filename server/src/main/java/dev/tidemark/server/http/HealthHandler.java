package dev.tidemark.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz}: 200 while the process serves requests. {@code /readyz}: 200 when clients can be served
 * (the change log has a history), else 503. Passes every other request on.
 */
@ChannelHandler.Sharable
final class HealthHandler extends ChannelInboundHandlerAdapter {

    private final BooleanSupplier ready;

    HealthHandler(BooleanSupplier ready) {
        this.ready = ready;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            if (path.equals("/healthz") || path.equals("/readyz")) {
                try {
                    if (path.equals("/healthz")) {
                        HttpResponses.send(ctx, request, HttpResponseStatus.OK, HttpResponses.TEXT, "ok\n", true);
                    } else if (ready.getAsBoolean()) {
                        HttpResponses.send(ctx, request, HttpResponseStatus.OK, HttpResponses.TEXT, "ready\n", true);
                    } else {
                        HttpResponses.send(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, HttpResponses.TEXT,
                                "not ready: the change log has no history yet, or cannot be read\n", true);
                    }
                } finally {
                    request.release();
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
