package dev.tidemark.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts open connections and answers HTTP 503 on every connection above {@code maxConnections}. Shared by all channels. */
@ChannelHandler.Sharable
final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<Boolean> OVER_LIMIT = AttributeKey.valueOf("tidemark.overLimit");

    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter rejected;

    ConnectionLimitHandler(int maxConnections, MeterRegistry meters) {
        this.maxConnections = maxConnections;
        Gauge.builder("tidemark.http.connections", open, AtomicInteger::get)
                .description("open connections").strongReference(true).register(meters);
        this.rejected = Counter.builder("tidemark.http.connections.rejected")
                .description("connections refused with 503 above maxConnections").register(meters);
    }

    int open() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > maxConnections) {
            ctx.channel().attr(OVER_LIMIT).set(Boolean.TRUE);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request && Boolean.TRUE.equals(ctx.channel().attr(OVER_LIMIT).get())) {
            try {
                rejected.increment();
                HttpResponses.reject(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "too many connections (limit " + maxConnections + "): retry later");
            } finally {
                ReferenceCountUtil.release(request);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
