package dev.tidemark.server.http;

import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.server.auth.Authenticator;
import dev.tidemark.server.hub.CloseCodes;
import dev.tidemark.server.hub.Hub;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Assembles each connection's pipeline; every handler does one thing. */
final class SyncChannelInitializer extends ChannelInitializer<SocketChannel> {

    /** Largest HTTP request (the upgrade or a health probe) accepted. */
    static final int MAX_REQUEST_BYTES = 16 * 1024;

    private final HttpConfig config;
    private final SslContext tls;
    private final Hub hub;
    private final MessageCodec codec = new MessageCodec();
    private final ConnectionLimitHandler limit;
    private final HealthHandler health;
    private final MetricsHandler metrics;
    private final AdminHandler admin;
    private final SyncUpgradeHandler upgrade;
    private final MessageTooBigHandler tooBig;
    private final BinaryFrameHandler binary = new BinaryFrameHandler();
    private final ReservedBitsHandler reservedBits = new ReservedBitsHandler();
    private final MessageCompression compression;
    private final WebSocketServerProtocolConfig webSocket;

    SyncChannelInitializer(HttpConfig config, SslContext tls, Hub hub, Authenticator authenticator, MeterRegistry meters,
                           PrometheusMeterRegistry prometheus) {
        this.config = config;
        this.tls = tls;
        this.hub = hub;
        this.limit = new ConnectionLimitHandler(config.maxConnections(), meters);
        this.health = new HealthHandler(hub::isReady, hub.captureHealth());
        this.metrics = new MetricsHandler(prometheus);
        this.admin = new AdminHandler(hub, authenticator);
        this.upgrade = new SyncUpgradeHandler(authenticator, config.handshakeTimeout(), meters);
        this.tooBig = new MessageTooBigHandler(config.maxMessageBytes());
        this.compression = config.compression() ? new MessageCompression(config.maxMessageBytes()) : null;
        this.webSocket = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(SyncUpgradeHandler.PATH)
                .checkStartsWith(true)
                .handshakeTimeoutMillis(config.handshakeTimeout().toMillis())
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(config.maxFrameBytes())
                        // With compression RSV1 is legal once negotiated: ReservedBitsHandler refuses it otherwise.
                        .allowExtensions(config.compression())
                        // The decoder would close at once, racing the client's unread input (see closeAfterDrain).
                        .closeOnProtocolViolation(false)
                        .withUTF8Validator(true)
                        .build())
                .build();
    }

    ConnectionLimitHandler limit() {
        return limit;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (tls != null) {
            pipeline.addLast("tls", tls.newHandler(channel.alloc()));
        }
        pipeline.addLast("idle", new IdleStateHandler(config.pingInterval().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
        pipeline.addLast("http", new HttpServerCodec());
        pipeline.addLast("httpAggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES));
        pipeline.addLast("requestDeadline", new RequestDeadline(config.handshakeTimeout()));
        pipeline.addLast("connectionLimit", limit);
        pipeline.addLast("health", health);
        pipeline.addLast("metrics", metrics);
        pipeline.addLast("admin", admin);
        pipeline.addLast("syncUpgrade", upgrade);
        if (compression != null) {
            // Negotiates on the upgrade, then puts the inflater and deflater right after itself and leaves.
            pipeline.addLast("compression", compression.newHandler());
            pipeline.addLast("reservedBits", reservedBits);
        }
        pipeline.addLast("webSocket", new WebSocketServerProtocolHandler(webSocket) {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
                if (cause instanceof CorruptedWebSocketFrameException violation) {
                    MessageTooBigHandler.closeAfterDrain(ctx, violation.closeStatus().code(),
                            violation.getMessage() == null ? violation.closeStatus().reasonText() : violation.getMessage());
                    return;
                }
                int inflaterClose = MessageCompression.closeCode(cause);
                if (inflaterClose != 0) {
                    MessageTooBigHandler.closeAfterDrain(ctx, inflaterClose, inflaterClose == CloseCodes.MESSAGE_TOO_BIG
                            ? "a compressed message inflates above " + config.maxMessageBytes() + " bytes"
                            : "a compressed message is not valid deflate data");
                    return;
                }
                super.exceptionCaught(ctx, cause);
            }
        });
        pipeline.addLast("frameAggregator", new WebSocketFrameAggregator(config.maxMessageBytes()));
        pipeline.addLast("messageTooBig", tooBig);
        pipeline.addLast("binaryFrames", binary);
        pipeline.addLast("keepAlive", new KeepAliveHandler(config.pingInterval(), config.idleTimeout()));
        pipeline.addLast("session", new SyncSessionHandler(hub, codec));
    }

    /**
     * Closes a connection whose first HTTP request is not complete within the handshake timeout of connecting.
     * Without it a slowloris client (an upgrade request a byte at a time) holds a connection for as long as it
     * trickles: it is never idle, and the WebSocket handshake timeout starts only once the request is whole.
     */
    private static final class RequestDeadline extends ChannelInboundHandlerAdapter {

        private final long timeoutNanos;
        private ScheduledFuture<?> deadline;

        RequestDeadline(Duration timeout) {
            this.timeoutNanos = timeout.toNanos();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            deadline = ctx.executor().schedule(() -> {
                ctx.close();
            }, timeoutNanos, TimeUnit.NANOSECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest) {
                cancel();
                ctx.pipeline().remove(this);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancel();
            ctx.fireChannelInactive();
        }

        private void cancel() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }
    }
}
