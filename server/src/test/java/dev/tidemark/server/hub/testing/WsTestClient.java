package dev.tidemark.server.hub.testing;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real WebSocket client over loopback for hub tests (Netty's client handshaker): queues the text messages
 * it receives, sends text or raw frames, can stop reading from its socket to play a stalled client, and
 * records the close code it got.
 */
public final class WsTestClient implements AutoCloseable {

    /** The upgrade was refused with an HTTP status. */
    public static final class UpgradeRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        UpgradeRefused(int status, String body) {
            super("upgrade refused with HTTP " + status + ": " + body);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private static final MessageCodec CODEC = new MessageCodec();

    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> handshake = new CompletableFuture<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final AtomicInteger pings = new AtomicInteger();
    private volatile boolean answerPings = true;
    private Channel channel;
    private boolean closed;

    private WsTestClient(EventLoopGroup group, boolean ownsGroup) {
        this.group = group;
        this.ownsGroup = ownsGroup;
    }

    /** Connects and completes the upgrade, or throws {@link UpgradeRefused}. */
    public static WsTestClient connect(URI uri, HttpHeaders headers) {
        return connect(uri, headers, null, null);
    }

    /**
     * @param ssl client TLS context for {@code wss}, or {@code null}
     * @param group the event loops to use (shared by many clients), or {@code null} for an own one
     */
    public static WsTestClient connect(URI uri, HttpHeaders headers, SslContext ssl, EventLoopGroup group) {
        WsTestClient client = new WsTestClient(group != null ? group : new MultiThreadIoEventLoopGroup(1,
                NioIoHandler.newFactory()), group == null);
        client.open(uri, headers == null ? new DefaultHttpHeaders() : headers, ssl);
        return client;
    }

    private void open(URI uri, HttpHeaders headers, SslContext ssl) {
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri,
                WebSocketVersion.V13, null, false, headers, 64 * 1024 * 1024);
        int port = uri.getPort();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc(), uri.getHost(), port));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1024 * 1024),
                                new WebSocketFrameAggregator(64 * 1024 * 1024), new Handler(handshaker));
                    }
                });
        try {
            channel = bootstrap.connect(uri.getHost(), port).sync().channel();
            handshake.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            close();
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            close();
            throw new IllegalStateException("WebSocket upgrade to " + uri + " did not complete", e);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {
        private final WebSocketClientHandshaker handshaker;

        Handler(WebSocketClientHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            handshaker.handshake(ctx.channel());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!handshaker.isHandshakeComplete() && msg instanceof FullHttpResponse response) {
                if (response.status().code() != 101) {
                    handshake.completeExceptionally(new UpgradeRefused(response.status().code(),
                            response.content().toString(StandardCharsets.UTF_8)));
                    ctx.close();
                    return;
                }
                handshaker.finishHandshake(ctx.channel(), response);
                handshake.complete(null);
                return;
            }
            if (msg instanceof TextWebSocketFrame text) {
                texts.add(text.text());
            } else if (msg instanceof PingWebSocketFrame ping) {
                pings.incrementAndGet();
                if (answerPings) {
                    ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                }
            } else if (msg instanceof CloseWebSocketFrame close) {
                closeCode.complete(close.statusCode());
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeCode.complete(-1);
            handshake.completeExceptionally(new IllegalStateException("connection closed during the upgrade"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            handshake.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** Sends a message. */
    public void send(Message message) {
        send(CODEC.encode(message));
    }

    /** Sends raw text. */
    public void send(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text)).syncUninterruptibly();
    }

    /** Sends any frame. */
    public void sendFrame(WebSocketFrame frame) {
        channel.writeAndFlush(frame).syncUninterruptibly();
    }

    /** The next text message, decoded; fails when none arrives within {@code timeout}. */
    public Message next(Duration timeout) {
        return CODEC.decode(nextText(timeout));
    }

    /** The next text message. */
    public String nextText(Duration timeout) {
        try {
            String text = texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (text == null) {
                throw new AssertionError("no message within " + timeout);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next message, which must be of {@code type}. */
    public <T extends Message> T next(Class<T> type, Duration timeout) {
        Message message = next(timeout);
        if (!type.isInstance(message)) {
            throw new AssertionError("expected " + type.getSimpleName() + ", got " + CODEC.encode(message));
        }
        return type.cast(message);
    }

    /** The next {@code count} changes messages. */
    public List<Changes> nextChanges(int count, Duration timeout) {
        List<Changes> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            result.add(next(Changes.class, timeout));
        }
        return result;
    }

    /** Messages received and not yet taken. */
    public int queued() {
        return texts.size();
    }

    /** Stops reading from the socket: the server's writes pile up in the kernel, then in its own buffer. */
    public void pauseReading() {
        channel.config().setAutoRead(false);
    }

    public void resumeReading() {
        channel.config().setAutoRead(true);
    }

    /** Whether pings are answered with pongs. */
    public void answerPings(boolean answer) {
        this.answerPings = answer;
    }

    public int pings() {
        return pings.get();
    }

    /** The close code received (-1: closed without a close frame); completes when the connection ends. */
    public CompletableFuture<Integer> closeCode() {
        return closeCode;
    }

    public boolean isOpen() {
        return channel != null && channel.isActive();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (channel != null) {
            channel.close().awaitUninterruptibly();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
