package dev.tidemark.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.Welcome;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The client's side of permessage-deflate over real sockets, against a Netty server that compresses without limits
 * and can send a hand-made bomb: what the client offers, that it inflates what the server compressed, and that a
 * message inflating beyond the client's maxMessageBytes closes the connection with 1009 instead of exhausting memory.
 */
@DisplayName("Client compression")
class ClientCompressionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int MAX_MESSAGE_BYTES = 256 * 1024;

    private final MessageCodec codec = new MessageCodec();
    private final EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final CompletableFuture<String> offered = new CompletableFuture<>();
    private final CompletableFuture<Integer> clientClose = new CompletableFuture<>();
    private final List<Message> received = new CopyOnWriteArrayList<>();
    private final List<String> malformed = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private WebSocketTransport transport;
    private Connection connection;
    private Channel server;

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.shutdown(Duration.ofSeconds(2));
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A server that compresses when asked and, once upgraded, sends {@code firstFrame}. */
    private URI startServer(boolean compression, java.util.function.Supplier<TextWebSocketFrame> firstFrame) {
        server = new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024));
                        if (compression) {
                            ch.pipeline().addLast(new WebSocketServerCompressionHandler(0));
                        }
                        ch.pipeline().addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/sync").handleCloseFrames(false)
                                        .decoderConfig(WebSocketDecoderConfig.newBuilder().allowExtensions(true).build())
                                        .build()),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete done) {
                                            String header = done.requestHeaders().get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
                                            offered.complete(header == null ? "" : header);
                                            ctx.writeAndFlush(firstFrame.get());
                                        }
                                    }

                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof CloseWebSocketFrame close) {
                                            clientClose.complete(close.statusCode());
                                        }
                                        io.netty.util.ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        return URI.create("ws://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/sync");
    }

    private void connect(URI uri, boolean compression) {
        EngineConfig config = new EngineConfig(List.of(uri), null, "c-1", List.of(), AckPolicy.afterCommit(),
                (attempt, random) -> Duration.ofSeconds(1), WAIT, Duration.ofSeconds(30), MAX_MESSAGE_BYTES, 16, null, compression);
        transport = new WebSocketTransport(config);
        TransportEvents events = new TransportEvents() {
            @Override
            public void opened(Connection c) {
            }

            @Override
            public void received(Connection c, Message message) {
                received.add(message);
            }

            @Override
            public void malformed(Connection c, String problem) {
                malformed.add(problem.length() > 300 ? problem.substring(0, 300) : problem);
            }

            @Override
            public void closed(Connection c) {
                closed.complete(null);
            }
        };
        transport.connect(uri, new ClientChannelInitializer(config, uri, null, channel -> {
            connection = new Connection(1, channel, "c-1", codec);
            return connection;
        }, codec, events));
    }

    private TextWebSocketFrame welcome() {
        return new TextWebSocketFrame(codec.encode(new Welcome("history-1", Lsn.ZERO, 1, 8)));
    }

    @Test
    @DisplayName("with compression on it offers permessage-deflate and inflates what the server compressed")
    void offersAndInflates() throws Exception {
        byte[] compressed = deflate(codec.encode(new Welcome("history-1", Lsn.ZERO, 1, 8))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        URI uri = startServer(true, () -> new TextWebSocketFrame(true, 4, Unpooled.wrappedBuffer(compressed)));
        connect(uri, true);
        assertThat(offered.get(10, TimeUnit.SECONDS)).startsWith("permessage-deflate");
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !received.isEmpty());
        assertThat(received.get(0)).isInstanceOf(Welcome.class);
        assertThat(((Welcome) received.get(0)).historyId()).isEqualTo("history-1");
    }

    @Test
    @DisplayName("with compression off it offers nothing")
    void offersNothingWhenOff() throws Exception {
        URI uri = startServer(true, this::welcome);
        connect(uri, false);
        assertThat(offered.get(10, TimeUnit.SECONDS)).isEmpty();
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !received.isEmpty());
        assertThat(received.get(0)).isInstanceOf(Welcome.class);
    }

    @Test
    @DisplayName("a message from the server that inflates beyond maxMessageBytes closes with 1009, naming why")
    void bombClosesWith1009() throws Exception {
        byte[] bomb = deflate(("{\"type\":\"welcome\",\"historyId\":\"" + " ".repeat(64 * 1024 * 1024) + "\"}").getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(bomb.length).isLessThan(128 * 1024);
        URI uri = startServer(true, () -> new TextWebSocketFrame(true, 4, Unpooled.wrappedBuffer(bomb)));
        connect(uri, true);
        closed.get(10, TimeUnit.SECONDS);
        assertThat(connection.closeReason()).contains("inflates beyond");
        assertThat(clientClose.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
        assertThat(received).isEmpty();
    }

    /** Raw deflate, sync-flushed, without the 00 00 FF FF tail: one whole RFC 7692 message. */
    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(9, true);
        deflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        do {
            n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
        } while (n == buffer.length);
        byte[] bytes = out.toByteArray();
        return java.util.Arrays.copyOf(bytes, bytes.length - 4);
    }
}
