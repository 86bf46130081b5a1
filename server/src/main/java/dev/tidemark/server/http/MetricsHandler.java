package dev.tidemark.server.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/** {@code /metrics}: the Prometheus text exposition of the server's meters. Passes every other request on. */
@ChannelHandler.Sharable
final class MetricsHandler extends ChannelInboundHandlerAdapter {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    /** @param registry the registry to expose, or {@code null}: {@code /metrics} answers 404 */
    MetricsHandler(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request && new QueryStringDecoder(request.uri()).path().equals("/metrics")) {
            try {
                if (registry == null) {
                    HttpResponses.send(ctx, request, HttpResponseStatus.NOT_FOUND, HttpResponses.TEXT,
                            "metrics are not exported in Prometheus format by this server\n", true);
                } else {
                    HttpResponses.send(ctx, request, HttpResponseStatus.OK, CONTENT_TYPE, registry.scrape(), true);
                }
            } finally {
                request.release();
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
