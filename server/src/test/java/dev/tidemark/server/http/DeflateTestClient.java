package dev.tidemark.server.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;

/**
 * A WebSocket client over loopback that may offer {@code permessage-deflate} (with Netty's client extension, or any
 * raw {@code Sec-WebSocket-Extensions} header), remembers what the server answered, counts compressed frames and the
 * bytes on the wire, and can send hand-made compressed frames (bombs).
 */
final class DeflateTestClient implements AutoCloseable {

    /** How the client offers compression. */
    enum Offer { NONE, DEFLATE, RAW_HEADER }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<FullHttpResponse> upgrade = new CompletableFuture<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private volatile String closeReason;
    private final AtomicInteger compressedFrames = new AtomicInteger();
    private final AtomicLong wireBytes = new AtomicLong();
    private final Channel channel;

    DeflateTestClient(URI uri, HttpHeaders headers, Offer offer, String rawExtensions) throws Exception {
        if (offer == Offer.RAW_HEADER) {
            headers.set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, rawExtensions);
        }
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri,
                WebSocketVersion.V13, null, true, headers, 64 * 1024 * 1024);
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new WireCounter(), new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                new CompressedFrameCounter());
                        if (offer == Offer.DEFLATE) {
                            ch.pipeline().addLast(new WebSocketClientExtensionHandler(
                                    new PerMessageDeflateClientExtensionHandshaker(64 * 1024 * 1024)));
                        }
                        ch.pipeline().addLast(new WebSocketFrameAggregator(64 * 1024 * 1024), new Handler(handshaker));
                    }
                }).connect(uri.getHost(), uri.getPort()).sync().channel();
        upgrade.get(10, TimeUnit.SECONDS);
    }

    private final class WireCounter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes) {
                wireBytes.addAndGet(bytes.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class CompressedFrameCounter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof WebSocketFrame frame && (frame.rsv() & 4) != 0) {
                compressedFrames.incrementAndGet();
            }
            ctx.fireChannelRead(msg);
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
                    upgrade.completeExceptionally(new IllegalStateException("upgrade refused: " + response.status()));
                    return;
                }
                handshaker.finishHandshake(ctx.channel(), response);
                upgrade.complete(response.retainedDuplicate());
            } else if (msg instanceof TextWebSocketFrame text) {
                texts.add(text.text());
            } else if (msg instanceof CloseWebSocketFrame close) {
                closeReason = close.reasonText();
                closeCode.complete(close.statusCode());
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeCode.complete(-1);
            upgrade.completeExceptionally(new IllegalStateException("closed during the upgrade"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            upgrade.completeExceptionally(cause);
            closeCode.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** The server's {@code Sec-WebSocket-Extensions} answer, or {@code null}. */
    String acceptedExtensions() {
        return upgrade.join().headers().get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
    }

    void send(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text)).syncUninterruptibly();
    }

    void sendFrame(WebSocketFrame frame) {
        channel.writeAndFlush(frame).syncUninterruptibly();
    }

    String nextText(Duration timeout) throws InterruptedException {
        String text = texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (text == null) {
            throw new AssertionError("no message within " + timeout);
        }
        return text;
    }

    CompletableFuture<Integer> closeCode() {
        return closeCode;
    }

    /** The reason of the server's close frame, once {@link #closeCode} completed with one. */
    String closeReason() {
        return closeReason;
    }

    int compressedFrames() {
        return compressedFrames.get();
    }

    long wireBytes() {
        return wireBytes.get();
    }

    /** {@code data} compressed as RFC 7692 sends a whole message: raw deflate, sync-flushed, without the 00 00 FF FF tail. */
    static byte[] deflate(Deflater deflater, byte[] data) {
        byte[] bytes = deflateFragment(deflater, data);
        return java.util.Arrays.copyOf(bytes, bytes.length - 4);
    }

    /** {@code data} compressed as a part of a message that continues: sync-flushed, tail kept. */
    static byte[] deflateFragment(Deflater deflater, byte[] data) {
        deflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        do {
            n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
        } while (n == buffer.length);
        return out.toByteArray();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
