package dev.tidemark.server.http;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.feed.CaptureHealth;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz}: 200 while the process serves requests. {@code /readyz}: 200 when clients can be served
 * the source's data: the change log has a history, and the captured data is complete (no table that
 * should be captured is excluded, capture is not stalled); else 503 with one line per reason. A node that
 * does not capture (a standby: another node leads capture) is ready too; the answer's second line says which
 * part this node plays and names the leader. Passes every other request on.
 */
@ChannelHandler.Sharable
final class HealthHandler extends ChannelInboundHandlerAdapter {

    private final BooleanSupplier ready;
    private final CaptureHealth capture;

    HealthHandler(BooleanSupplier ready) {
        this(ready, CaptureHealth.COMPLETE);
    }

    HealthHandler(BooleanSupplier ready, CaptureHealth capture) {
        this.ready = requireNonNull(ready, "ready is null");
        this.capture = requireNonNull(capture, "capture is null");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            if (path.equals("/healthz") || path.equals("/readyz")) {
                try {
                    if (path.equals("/healthz")) {
                        HttpResponses.send(ctx, request, HttpResponseStatus.OK, HttpResponses.TEXT, "ok\n", true);
                    } else {
                        readiness(ctx, request);
                    }
                } finally {
                    request.release();
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void readiness(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!ready.getAsBoolean()) {
            HttpResponses.send(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, HttpResponses.TEXT,
                    "not ready: the change log has no history yet, or cannot be read\n", true);
            return;
        }
        List<String> problems = capture.describe();
        if (!problems.isEmpty()) {
            HttpResponses.send(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, HttpResponses.TEXT,
                    "not ready: the captured data is incomplete\n" + String.join("\n", problems) + "\n", true);
            return;
        }
        HttpResponses.send(ctx, request, HttpResponseStatus.OK, HttpResponses.TEXT,
                "ready\n" + capture.role().map(role -> role + "\n").orElse(""), true);
    }
}
